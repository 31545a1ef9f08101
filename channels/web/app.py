"""The web application: public API, chat page, widget, document pages and staff admin."""
from __future__ import annotations

from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from channels import webhooks
from channels.web import admin, admin_curated, admin_stats, api, documents, pages
from channels.web.deps import templates
from channels.web.logs import ConversationLog
from channels.web.ratelimit import RateLimiter
from hoidap.config import get_settings
from hoidap.wiring import Hoidap, open_hoidap

DEFAULT_DETAILS = {"Not Found": "Không tìm thấy.", "Method Not Allowed": "Phương thức không được hỗ trợ."}
MAX_API_BODY_BYTES = 64 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def create_app(hoidap: Hoidap | None = None) -> FastAPI:
    hoidap = hoidap or open_hoidap(get_settings())
    settings = hoidap.settings
    app = FastAPI(title="Hỏi đáp 57", version="0.1.0",
                  description="Hỏi đáp về Nghị quyết 57-NQ/TW và các kế hoạch triển khai; "
                              "mọi câu trả lời đều trích dẫn văn bản gốc.")
    app.state.hoidap = hoidap
    app.state.log = ConversationLog(settings.db_path, settings.log_retention_days)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)

    origins = [o.strip() for o in settings.allowed_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], max_age=600)

    @app.middleware("http")
    async def limits_and_headers(request: Request, call_next):
        if request.url.path.startswith(("/api/", "/webhooks/")) and \
                int(request.headers.get("content-length") or 0) > MAX_API_BODY_BYTES:
            return JSONResponse({"detail": "Nội dung gửi lên quá lớn."}, status_code=413)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # Swagger UI at /docs needs its CDN scripts, so it is left out of the strict policy.
        if response.headers.get("content-type", "").startswith("text/html") and \
                not request.url.path.startswith(("/docs", "/redoc")):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
        return JSONResponse({"detail": f"Dữ liệu gửi lên không hợp lệ ({fields or 'nội dung'})."},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = DEFAULT_DETAILS.get(exc.detail, exc.detail)
        wants_html = "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/")
        if wants_html and exc.status_code >= 400:
            return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": detail},
                                              status_code=exc.status_code, headers=exc.headers)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for router in (pages.router, api.router, api.health, documents.router,
                   admin.public, admin.router, admin_stats.router, admin_curated.router):
        app.include_router(router)
    for router in webhooks.routers(hoidap, app.state.log):  # Telegram, Zalo OA, Messenger: those configured
        app.include_router(router)
    return app


def serve(host: str | None = None, port: int | None = None) -> None:
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    app = create_app()  # indexes the bundled corpus on the first start
    docs = len(app.state.hoidap.store.documents())
    print(f"Hỏi đáp 57: {docs} văn bản. Trang hỏi đáp: http://{host}:{port}/  ·  quản trị: "
          + (f"http://{host}:{port}/admin" if settings.admin_token else "tắt (đặt HOIDAP_ADMIN_TOKEN để bật)"),
          flush=True)
    # proxy_headers: behind a local reverse proxy the rate limit keys on the real client.
    uvicorn.run(app, host=host, port=port, proxy_headers=True)
