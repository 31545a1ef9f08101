"""/docs: Swagger UI from the static files of the pinned fastapi-offline package, so that it works
offline and the page's Content-Security-Policy needs no third-party origin (FastAPI's own /docs loads
Swagger UI from a CDN and starts it with an inline script)."""
from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from channels.web.deps import templates

router = APIRouter(include_in_schema=False)
assets = StaticFiles(directory=str(files("fastapi_offline") / "static"))  # mounted at /docs/assets


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    return templates.TemplateResponse(request, "api_docs.html", {})
