"""Staff admin: token login and sessions (documents: admin_documents; curated answers, queue, reports: their own modules).

Disabled (404) while settings.admin_token is empty. A browser logs in once and gets a random
server-side session (channels.web.sessions) in an HttpOnly, SameSite=Strict cookie; every form it
posts carries the session's CSRF token and must come from this site's own origin. Scripts send
`Authorization: Bearer <token>`. Wrong tokens, on the login form or as Bearer, are throttled per client.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from channels.base import secret_matches
from channels.web.deps import templates
from channels.web.ratelimit import rate_limited

COOKIE = "hoidap_admin"
CSRF_FIELD = "csrf"
METADATA_FIELDS = {  # form field → Document field, shown with these labels
    "title": "Trích yếu",
    "short_title": "Tên ngắn (phân biệt các văn bản cùng cơ quan)",
    "doc_type": "Loại văn bản",
    "number": "Số hiệu",
    "date_iso": "Ngày ban hành",
    "issuer": "Cơ quan ban hành",
    "locality": "Địa phương",
    "source_url": "Nguồn (URL)",
}
MAX_FORM_FIELDS = 24  # the largest admin form (a curated answer with its passage search) and some room
MAX_NAME_CHARS = 80


def admin_enabled(request: Request) -> None:
    if not request.app.state.hoidap.settings.admin_token:
        raise HTTPException(404, "Không tìm thấy.")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_origin(request: Request) -> None:
    """403 for a form posted from another site (the browser says so in Origin or Sec-Fetch-Site)."""
    origin = request.headers.get("origin")
    if origin is None:
        same = request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    else:
        public_url = request.app.state.hoidap.settings.public_url
        same = origin in {_origin(str(request.base_url))} | ({_origin(public_url)} if public_url else set())
    if not same:
        raise HTTPException(403, "Yêu cầu gửi từ trang web khác, đã bị từ chối.")


def _throttle(request: Request) -> None:
    failures = request.app.state.admin_failures
    if failures.exhausted(failures.key(request)):
        raise HTTPException(429, "Nhập sai mã quản trị quá nhiều lần. Vui lòng chờ một phút rồi thử lại.",
                            headers={"Retry-After": "60"})


def _count_failure(request: Request) -> None:
    failures = request.app.state.admin_failures
    failures.allow(failures.key(request))


async def require_admin(request: Request) -> None:
    """A valid Bearer token, or a live session cookie plus, on POST, same origin and its CSRF token."""
    admin_enabled(request)
    if request.method == "POST":
        check_origin(request)
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        _throttle(request)
        if not secret_matches(bearer[7:].strip(), request.app.state.hoidap.settings.admin_token):
            _count_failure(request)
            raise HTTPException(401, "Mã quản trị không đúng.", headers={"WWW-Authenticate": "Bearer"})
        request.state.csrf = ""  # scripts post no forms
        request.state.staff = "script (mã quản trị)"
        return
    session = request.app.state.admin_sessions.lookup(request.cookies.get(COOKIE, ""))
    if session is None:
        if "text/html" in request.headers.get("accept", "") and request.method == "GET":
            raise HTTPException(303, headers={"Location": "/admin/login"})
        raise HTTPException(401, "Cần đăng nhập quản trị.", headers={"WWW-Authenticate": "Bearer"})
    csrf, name = session
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)  # the route reuses it
        if not secret_matches(str(form.get(CSRF_FIELD, "")), csrf):
            raise HTTPException(403, "Biểu mẫu đã hết hạn. Vui lòng tải lại trang rồi gửi lại.")
    request.state.csrf = csrf  # every admin form carries it (templates: request.state.csrf)
    request.state.staff = name or "cán bộ (không ghi tên)"  # who uploaded or changed a document


public = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(admin_enabled)])
router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])


@public.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return templates.TemplateResponse(request, "admin_login.html", {"error": ""})


@public.post("/login", response_class=HTMLResponse, dependencies=[Depends(rate_limited)])
async def login(request: Request):
    check_origin(request)
    _throttle(request)
    form = await request.form(max_files=0, max_fields=5)
    settings = request.app.state.hoidap.settings
    if not secret_matches(str(form.get("token", "")), settings.admin_token):
        _count_failure(request)
        return templates.TemplateResponse(request, "admin_login.html",
                                          {"error": "Mã quản trị không đúng."}, status_code=401)
    sessions = request.app.state.admin_sessions
    name = " ".join(str(form.get("name", "")).split())[:MAX_NAME_CHARS]
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, sessions.create(name), httponly=True, samesite="strict", path="/admin",
                        secure=request.url.scheme == "https" or settings.public_url.startswith("https://"),
                        max_age=int(sessions.lifetime_s))
    return response


@router.post("/logout")
def logout(request: Request):
    request.app.state.admin_sessions.revoke(request.cookies.get(COOKIE, ""))  # the cookie is dead from now on
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response
