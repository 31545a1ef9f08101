"""The web application: public API, chat page, widget, document pages and staff admin."""
from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from channels import webhooks
from channels.web import admin, admin_curated, admin_documents, admin_stats, api, api_docs, documents, pages
from channels.web.deps import templates
from channels.web.errors import SERVER_ERROR, STATUS_DETAILS, Error
from channels.web.jobs import Jobs
from channels.web.limits import BodyLimit
from channels.web.logs import ConversationLog
from channels.web.ratelimit import READS_PER_QUESTION
from channels.web.sessions import AdminSessions
from hoidap.config import get_settings
from hoidap.shared import LocalState
from hoidap.versions import DocumentVersions
from hoidap.wiring import Hoidap, open_hoidap

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def create_app(hoidap: Hoidap | None = None) -> FastAPI:
    hoidap = hoidap or open_hoidap(get_settings())
    settings = hoidap.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = hoidap.follow()  # while serving: swap to each index generation another process publishes
        yield
        if stop:
            stop()

    app = FastAPI(title="Hỏi đáp 57", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lifespan,  # /docs: api_docs
                  description="Hỏi đáp về Nghị quyết 57-NQ/TW và các kế hoạch triển khai; "
                              "mọi câu trả lời đều trích dẫn văn bản gốc.")
    app.state.hoidap = hoidap
    admin_documents.remove_orphan_uploads(hoidap)
    app.state.log = ConversationLog(hoidap.store, settings.log_retention_days)
    shared = getattr(hoidap, "shared", None) or LocalState(hoidap.store)  # Redis when HOIDAP_REDIS_URL is set
    app.state.limiter = shared.limiter("ask", settings.rate_limit_per_minute)
    app.state.reads_limiter = shared.limiter("reads", settings.rate_limit_per_minute * READS_PER_QUESTION)
    app.state.admin_failures = shared.limiter("admin-failures", settings.admin_failures_per_minute)
    app.state.admin_sessions = AdminSessions(hoidap.store, settings.admin_session_hours * 3600)
    app.state.versions = DocumentVersions(hoidap.store)
    app.state.jobs = Jobs(hoidap, app.state.versions)  # admin uploads; run here unless HOIDAP_SERVE_JOBS=false

    origins = [o.strip() for o in settings.allowed_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], max_age=600)
    # Outside every route, form parser, rate limit and signature check, none of which sees more than
    # the cap. Only security_headers wraps it: it never reads the body (and, being a BaseHTTPMiddleware,
    # would hide BodyTooLarge from the app's handlers in an ExceptionGroup if it sat inside).
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        if request.url.path.startswith("/admin"):  # staff pages and CSV exports: never kept by a browser or a proxy
            response.headers["Cache-Control"] = "no-store"
        if 300 <= response.status_code < 400 and (location := response.headers.get("location", "")).startswith("http"):
            # Starlette's trailing-slash redirect builds an absolute URL from the Host header: keep only the path
            moved = urlsplit(location)
            response.headers["location"] = urlunsplit(("", "", moved.path or "/", moved.query, ""))
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if any(e.get("loc", ())[-1:] == ("question",) and e.get("type") == "string_pattern_mismatch"
               for e in exc.errors()):  # a question with nothing in it once cleaned: say what to do
            return JSONResponse({"detail": "Vui lòng nhập câu hỏi (question)."}, status_code=422)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
        return JSONResponse({"detail": f"Dữ liệu gửi lên không hợp lệ ({fields or 'nội dung'})."},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code < 400:  # a redirect (to the admin login): no body
            return Response(status_code=exc.status_code, headers=exc.headers)
        detail = exc.detail
        if not isinstance(detail, str) or detail.isascii():
            detail = STATUS_DETAILS.get(exc.status_code, SERVER_ERROR if exc.status_code >= 500 else STATUS_DETAILS[400])
        wants_html = "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/")
        if wants_html:
            return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": detail},
                                              status_code=exc.status_code, headers=exc.headers)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):  # logged by uvicorn with its traceback
        if isinstance(exc, _database_away()):  # a PostgreSQL restart, a locked SQLite file: try again shortly
            return JSONResponse({"detail": STATUS_DETAILS[503]}, status_code=503, headers={"Retry-After": "5"})
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)

    def openapi() -> dict:
        """FastAPI's schema, with every 422 documented as the body the validation handler above really sends."""
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            error = {"application/json": {"schema": Error.model_json_schema()}}
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    if "422" in operation.get("responses", {}):
                        operation["responses"]["422"]["content"] = error
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.mount("/docs/assets", api_docs.assets, name="api-docs-assets")
    for router in (pages.router, api_docs.router, api.router, api.health, documents.router,
                   admin.public, admin.router, admin_documents.router, admin_stats.router, admin_curated.router):
        app.include_router(router)
    for router in webhooks.routers(hoidap, app.state.log):  # Telegram, Zalo OA, Messenger: those configured
        app.include_router(router)
    return app


def _database_away() -> tuple[type[BaseException], ...]:
    """The errors that mean the database cannot be reached for now, on either engine."""
    import psycopg
    from psycopg_pool import PoolTimeout

    return sqlite3.OperationalError, psycopg.OperationalError, PoolTimeout


def serve(host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    """One process, or `workers` uvicorn worker processes on the same port (every core of one machine).

    Each worker opens the same store and loads the index snapshot this process publishes before they
    start (data/index), so none of them indexes anything again. What must be shared between them (and
    between replicas): the store (SQLite file on this disk, or PostgreSQL), and rate limits, follow-up
    memory and webhook replay memory (in-process, or Redis: HOIDAP_REDIS_URL). docs/deploy.md.
    """
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    app = create_app()  # indexes the bundled corpus on the first start, and publishes the index snapshot
    docs = len(app.state.hoidap.store.documents())
    print(f"Hỏi đáp 57: {docs} văn bản. Trang hỏi đáp: http://{host}:{port}/  ·  quản trị: "
          + (f"http://{host}:{port}/admin" if settings.admin_token else "tắt (đặt HOIDAP_ADMIN_TOKEN để bật)"),
          flush=True)
    # proxy_headers: behind a local reverse proxy the rate limit keys on the real client.
    # No access log: each line would carry the client's IP address (docs/security.md).
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, proxy_headers=True, access_log=False)
        return
    if not settings.redis_url:
        print(f"Chú ý: {workers} tiến trình không có Redis (HOIDAP_REDIS_URL): giới hạn tần suất tính riêng từng "
              "tiến trình và câu hỏi tiếp nối có thể mất ngữ cảnh khi rơi vào tiến trình khác (docs/deploy.md).",
              file=sys.stderr, flush=True)
    app.state.hoidap.store.close()  # each worker opens its own
    del app
    # One thread per worker for the embedder's numerical libraries: N workers on N cores, none spinning.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    uvicorn.run("channels.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, access_log=False)
