"""The public chat page and the embeddable widget script."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from channels.web.deps import templates

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request):
    return templates.TemplateResponse(request, "chat.html", {})


@router.get("/widget.js")
def widget_js():
    # Served at the root so the embed line stays short: <script src="https://host/widget.js">.
    return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300"})
