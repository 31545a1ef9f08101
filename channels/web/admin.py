"""Staff admin: token login, upload and remove documents.

Disabled (404) while settings.admin_token is empty. A browser logs in once and gets a random
server-side session (channels.web.sessions) in an HttpOnly, SameSite=Strict cookie; every form it
posts carries the session's CSRF token and must come from this site's own origin. Scripts send
`Authorization: Bearer <token>`. Wrong tokens, on the login form or as Bearer, are throttled per client.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from channels.base import secret_matches
from channels.web.deps import HoidapDep, templates
from channels.web.documents import original_file
from channels.web.ratelimit import rate_limited
from hoidap.wiring import Hoidap
from ingest.loaders import SUPPORTED, LoadError
from ingest.pipeline import ingest_file

COOKIE = "hoidap_admin"
CSRF_FIELD = "csrf"
METADATA_FIELDS = {  # form field → Document field, shown with these labels
    "title": "Trích yếu",
    "doc_type": "Loại văn bản",
    "number": "Số hiệu",
    "date_iso": "Ngày ban hành",
    "issuer": "Cơ quan ban hành",
    "locality": "Địa phương",
    "source_url": "Nguồn (URL)",
}


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
        return
    csrf = request.app.state.admin_sessions.csrf(request.cookies.get(COOKIE, ""))
    if csrf is None:
        if "text/html" in request.headers.get("accept", "") and request.method == "GET":
            raise HTTPException(303, headers={"Location": "/admin/login"})
        raise HTTPException(401, "Cần đăng nhập quản trị.", headers={"WWW-Authenticate": "Bearer"})
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=len(METADATA_FIELDS) + 2)  # the route reuses it
        if not secret_matches(str(form.get(CSRF_FIELD, "")), csrf):
            raise HTTPException(403, "Biểu mẫu đã hết hạn. Vui lòng tải lại trang rồi gửi lại.")
    request.state.csrf = csrf  # every admin form carries it (templates: request.state.csrf)


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
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, sessions.create(), httponly=True, samesite="strict", path="/admin",
                        secure=request.url.scheme == "https" or settings.public_url.startswith("https://"),
                        max_age=int(sessions.lifetime_s))
    return response


@router.post("/logout")
def logout(request: Request):
    request.app.state.admin_sessions.revoke(request.cookies.get(COOKIE, ""))  # the cookie is dead from now on
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


def _home(request: Request, hoidap: Hoidap, result: dict | None = None, status_code: int = 200):
    docs = [(d, len(hoidap.store.passages(d.id))) for d in hoidap.store.documents()]
    return templates.TemplateResponse(request, "admin_home.html", {
        "docs": docs, "fields": METADATA_FIELDS, "result": result,
        "accept": ",".join(sorted(SUPPORTED)), "max_mb": hoidap.settings.max_upload_bytes // (1024 * 1024),
    }, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def home(request: Request, hoidap: HoidapDep):
    return _home(request, hoidap)


def safe_filename(raw: str) -> str:
    """The last path component only, reduced to harmless characters: no ../ or absolute paths."""
    name = Path(raw.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    stem, suffix = Path(name).stem.strip(" ._"), Path(name).suffix.lower()
    return f"{stem or 'van-ban'}{suffix}"


def _overrides(form) -> dict:
    values = {key: str(form.get(key, "")).strip() for key in METADATA_FIELDS}
    if values["source_url"] and not re.match(r"https?://", values["source_url"]):
        raise ValueError("Nguồn (URL) phải bắt đầu bằng http:// hoặc https://")
    if values["date_iso"]:
        try:
            day = date.fromisoformat(values["date_iso"])
        except ValueError:
            raise ValueError("Ngày ban hành không hợp lệ (định dạng YYYY-MM-DD).") from None
        values["date"] = f"ngày {day.day} tháng {day.month} năm {day.year}"
    return {key: value for key, value in values.items() if value}


def remove_orphan_uploads(hoidap: Hoidap) -> None:
    """Delete uploaded files that no document came from: left by a crash (kill -9) mid-ingest."""
    uploads = hoidap.settings.data_dir / "uploads"
    if not uploads.is_dir():
        return
    sources = {Path(doc.source_path).resolve() for doc in hoidap.store.documents()}
    for path in uploads.iterdir():
        if path.is_file() and path.resolve() not in sources:
            path.unlink(missing_ok=True)


def _ingest_upload(hoidap: Hoidap, name: str, data: bytes, overrides: dict) -> dict:
    uploads = hoidap.settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    path = uploads / name
    path.write_bytes(data)
    try:
        doc_id, outcome = ingest_file(hoidap.store, hoidap.settings.files_dir, path, overrides, force=True)
    except (LoadError, ValueError, OSError) as exc:
        path.unlink(missing_ok=True)
        return {"error": f"Không nạp được {name}: {exc}"}
    hoidap.retriever.refresh()
    passages = len(hoidap.store.passages(doc_id))
    verb = "Đã thêm" if outcome == "added" else "Đã cập nhật"
    return {"ok": f"{verb} văn bản {doc_id} ({passages} đoạn).", "doc_id": doc_id}


@router.post("/documents", response_class=HTMLResponse)
async def upload(request: Request, hoidap: HoidapDep):
    # The body as a whole is capped before parsing (channels.web.limits); this is the file's own cap.
    max_bytes = hoidap.settings.max_upload_bytes
    form = await request.form(max_files=1, max_fields=len(METADATA_FIELDS) + 2)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _home(request, hoidap, {"error": "Vui lòng chọn một tệp."}, 400)
    name = safe_filename(upload.filename)
    if Path(name).suffix not in SUPPORTED:
        allowed = ", ".join(sorted(s.lstrip(".").upper() for s in SUPPORTED))
        return _home(request, hoidap, {"error": f"Định dạng không hỗ trợ. Chỉ nhận: {allowed}."}, 415)
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        return _home(request, hoidap, {"error": f"Tệp quá lớn (tối đa {max_bytes / (1024 * 1024):g} MB)."}, 413)
    try:
        overrides = _overrides(form)
    except ValueError as exc:
        return _home(request, hoidap, {"error": str(exc)}, 400)
    result = await run_in_threadpool(_ingest_upload, hoidap, name, data, overrides)
    return _home(request, hoidap, result, 400 if "error" in result else 200)


@router.get("/documents/{doc_id}/delete", response_class=HTMLResponse)
def confirm_remove(request: Request, doc_id: str, hoidap: HoidapDep):
    doc = hoidap.store.document(doc_id)
    if doc is None:
        raise HTTPException(404, "Không tìm thấy văn bản.")
    return templates.TemplateResponse(request, "admin_confirm_remove.html", {"doc": doc})


@router.post("/documents/{doc_id}/delete", response_class=HTMLResponse)
def remove(request: Request, doc_id: str, hoidap: HoidapDep):
    doc = hoidap.store.document(doc_id)
    if doc is None or not hoidap.store.remove_document(doc_id):
        return _home(request, hoidap, {"error": f"Không có văn bản {doc_id}."}, 404)
    hoidap.retriever.refresh()
    if (original := original_file(hoidap, doc)) is not None:
        original.unlink(missing_ok=True)
    uploads = (hoidap.settings.data_dir / "uploads").resolve()
    source = Path(doc.source_path).resolve()
    if source.is_relative_to(uploads):  # only files staff uploaded here; never the bundled corpus
        source.unlink(missing_ok=True)
    return _home(request, hoidap, {"ok": f"Đã xóa văn bản {doc_id}."})
