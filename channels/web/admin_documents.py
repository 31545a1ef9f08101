"""Staff documents: upload (duplicates refused, with "thay thế bản cũ" offered), replace a version keeping
the id, edit metadata, remove. Every change is recorded with who made it (hoidap.versions)."""
from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse
from starlette.datastructures import UploadFile

from channels.web.admin import METADATA_FIELDS, require_admin
from channels.web.deps import HoidapDep, templates
from channels.web.documents import original_file
from channels.web.duplicates import NEAR, SAME_FILE, SAME_ID, Duplicate, find_duplicate
from hoidap.files import claim, move, write_atomic
from hoidap.models import Document
from hoidap.versions import EDITED, REPLACED, UPLOADED, DocumentVersions
from hoidap.wiring import Hoidap
from ingest.chunking import header_line
from ingest.loaders import SUPPORTED, LoadError
from ingest.sandbox import load_bounded
from ingest.localities import normalise_locality
from ingest.pipeline import doc_id_for, ingest_file

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])
PENDING_TOKEN_RE = re.compile(r"^[\w-]{16,64}$")
PENDING_KEEP_S = 24 * 3600  # a refused upload waits this long for "thay thế bản cũ", then goes at the next start
# A replica starting while another ingests (one shared files folder) must not take that upload for a crash's
# leftover: its document is stored moments after the file.
ORPHAN_GRACE_S = 3600
DUPLICATE_MESSAGES = {
    SAME_FILE: "Tệp này trùng hoàn toàn với văn bản đã có",
    SAME_ID: "Đã có văn bản cùng tên tệp (cùng mã)",
    NEAR: "Tệp này gần như trùng nội dung với văn bản đã có",
}


def versions(request: Request) -> DocumentVersions:
    return request.app.state.versions


def _home(request: Request, hoidap: Hoidap, result: dict | None = None, status_code: int = 200):
    latest = versions(request).latest()
    added = hoidap.store.added_at()
    rows = []
    for doc in hoidap.store.documents():
        version = latest.get(doc.id)
        rows.append({"doc": doc, "passages": len(hoidap.store.passages(doc.id)),
                     "at": version.created_at if version else added.get(doc.id, ""),
                     "by": version.created_by if version else "dòng lệnh (hoidap ingest)"})
    return templates.TemplateResponse(request, "admin_home.html", {
        "rows": rows, "fields": METADATA_FIELDS, "result": result, "jobs": hoidap.store.jobs(),
        "accept": ",".join(sorted(SUPPORTED)), "max_mb": hoidap.settings.max_upload_bytes // (1024 * 1024),
    }, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def home(request: Request, hoidap: HoidapDep):
    return _home(request, hoidap)


MAX_NAME_BYTES = 150  # a file name on disk: well under the 255 bytes of common file systems, with room for a suffix


def safe_filename(raw: str) -> str:
    """The last path component only, reduced to harmless characters (no ../ or absolute paths) and to a length every
    file system takes (UTF-8 bytes: a Vietnamese letter is two or three)."""
    name = Path(raw.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    stem, suffix = Path(name).stem.strip(" ._"), Path(name).suffix.lower()[:10]
    stem = stem.encode()[:MAX_NAME_BYTES].decode(errors="ignore").strip(" ._")
    return f"{stem or 'van-ban'}{suffix}"


def metadata_values(form) -> dict:
    """The metadata fields as staff typed them (blank ones too), checked; `date` follows `date_iso`."""
    values = {key: " ".join(str(form.get(key, "")).split())[:2000] for key in METADATA_FIELDS}
    if values["source_url"] and not re.match(r"https?://", values["source_url"]):
        raise ValueError("Nguồn (URL) phải bắt đầu bằng http:// hoặc https://")
    if values["date_iso"]:
        try:
            day = date.fromisoformat(values["date_iso"])
        except ValueError:
            raise ValueError("Ngày ban hành không hợp lệ (định dạng YYYY-MM-DD).") from None
        values["date"] = f"ngày {day.day} tháng {day.month} năm {day.year}"
    return values


def remove_orphan_uploads(hoidap: Hoidap) -> None:
    """Delete uploaded files that no document came from: left by a crash (kill -9) mid-ingest, or refused
    as duplicates more than PENDING_KEEP_S ago; and originals a crash left half-written under a temporary name."""
    settings = hoidap.settings
    sources = {Path(doc.source_path).resolve() for doc in hoidap.store.documents()}
    leftovers = [*settings.files_dir.glob(".*.tmp")]
    for uploads in settings.upload_dirs:
        leftovers += uploads.iterdir() if uploads.is_dir() else []
    for path in leftovers:
        if path.is_file() and path.resolve() not in sources and _older_than(path, ORPHAN_GRACE_S):
            path.unlink(missing_ok=True)
    pending = settings.pending_dir
    for folder in pending.iterdir() if pending.is_dir() else []:
        if _older_than(folder, PENDING_KEEP_S):
            shutil.rmtree(folder, ignore_errors=True)


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return path.stat().st_mtime < time.time() - seconds
    except FileNotFoundError:  # another replica, starting too, removed it (or renamed it into place) just now
        return False


def staff_upload(hoidap: Hoidap, doc: Document) -> Path | None:
    """The file staff uploaded that `doc` came from; None for a document brought in from a folder (the corpus)."""
    source = Path(doc.source_path).resolve()
    ours = any(source.is_relative_to(folder.resolve()) for folder in hoidap.settings.upload_dirs)
    return source if ours and source.is_file() else None


@dataclass
class Upload:
    """What staff sent: a file (name, bytes), or a pending upload refused a moment ago as a duplicate."""

    name: str = ""
    data: bytes = b""
    pending: str = ""


async def _received(hoidap: Hoidap, form) -> Upload | dict:
    """The file of this form (or the pending upload it names), checked, or {"error": ..., "status": ...}."""
    token = str(form.get("pending", ""))
    if token:
        return Upload(pending=token)  # the job finds it, or says it expired
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return {"error": "Vui lòng chọn một tệp.", "status": 400}
    name = safe_filename(upload.filename)
    if Path(name).suffix not in SUPPORTED:
        allowed = ", ".join(sorted(s.lstrip(".").upper() for s in SUPPORTED))
        return {"error": f"Định dạng không hỗ trợ. Chỉ nhận: {allowed}.", "status": 415}
    max_bytes = hoidap.settings.max_upload_bytes  # the body as a whole is capped before parsing (limits.py)
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        return {"error": f"Tệp quá lớn (tối đa {max_bytes / (1024 * 1024):g} MB).", "status": 413}
    return Upload(name, data)


def _unique_id(hoidap: Hoidap, doc_id: str) -> str:
    candidate, n = doc_id, 2
    while hoidap.store.document(candidate) is not None:
        candidate, n = f"{doc_id}-{n}", n + 1
    return candidate


def _archive(hoidap: Hoidap, history: DocumentVersions, doc: Document, by: str) -> list[tuple[Path, Path]]:
    """Move the current files of `doc` aside (<files_dir>/versions/) before a new version replaces them;
    returns the moves, to undo them if the new version fails."""
    if not history.history(doc.id):  # brought in before versions were kept: its record comes first
        history.record(doc, UPLOADED, "dòng lệnh (hoidap ingest)")
    moves = []
    kept = hoidap.settings.files_dir / "versions"
    kept.mkdir(parents=True, exist_ok=True)
    version = history.history(doc.id)[0].version
    if (original := original_file(hoidap, doc)) is not None:
        moves.append((original, kept / f"{doc.id}.v{version}{original.suffix}"))
    if (source := staff_upload(hoidap, doc)) is not None:
        moves.append((source, kept / f"{doc.id}.v{version}.upload{source.suffix}"))
    for src, dst in moves:
        move(src, dst)
    if moves:
        history.archive(doc.id, moves[0][1])
    return moves


def ingest_upload(hoidap: Hoidap, history: DocumentVersions, staged: Path, values: dict, by: str,
                  replacing: Document | None = None, separate: bool = False,
                  step: Callable[[str], None] = lambda text: None) -> dict:
    """Check, then ingest one staged upload (a job: channels.web.jobs). Refuses a duplicate unless replacing
    it (or told `separate`). `step` hears where it is, for the admin page."""
    try:
        loaded = load_bounded(staged)  # within a CPU and memory budget (ingest/sandbox.py)
    except LoadError as exc:
        shutil.rmtree(staged.parent, ignore_errors=True)
        return {"error": f"Không nạp được {staged.name}: {exc}", "status": 400}
    data = staged.read_bytes()
    doc_id = replacing.id if replacing else doc_id_for(staged)
    if replacing is None:
        duplicate = find_duplicate(hoidap, data, "\n\n".join(loaded.pages), doc_id)
        if duplicate is not None and not (separate and duplicate.kind != SAME_FILE):
            return _refusal(duplicate, staged, values)
        doc_id = _unique_id(hoidap, doc_id)
    overrides = {key: value for key, value in values.items() if value} | {"id": doc_id}
    fallback = {}
    if replacing is not None:  # what the new file does not say keeps the previous version's value
        fallback = {key: getattr(replacing, key) for key in (*METADATA_FIELDS, "date", "place", "signer")}
    moves = _archive(hoidap, history, replacing, by) if replacing else []
    path = claim(hoidap.settings.upload_dirs[0], staged.name)
    write_atomic(path, data)  # a fresh file (not a rename): its time is now, for remove_orphan_uploads' grace
    shutil.rmtree(staged.parent, ignore_errors=True)
    step("Đang cắt đoạn và lưu vào kho")
    try:
        ingest_file(hoidap.store, hoidap.settings.files_dir, path, overrides, force=True, loaded=loaded,
                    fallback=fallback)
    except (LoadError, ValueError, OSError) as exc:
        path.unlink(missing_ok=True)
        for src, dst in moves:  # the previous version stays the current one
            move(dst, src)
        return {"error": f"Không nạp được {staged.name}: {exc}", "status": 400}
    step("Đang dựng chỉ mục")
    hoidap.publish()
    doc = hoidap.store.document(doc_id)
    history.record(doc, REPLACED if replacing else UPLOADED, by)
    passages = len(hoidap.store.passages(doc_id))
    verb = "Đã thay thế tệp của" if replacing else "Đã thêm"
    return {"ok": f"{verb} văn bản {doc_id} ({passages} đoạn).", "doc_id": doc_id}


def _refusal(duplicate: Duplicate, staged: Path, values: dict) -> dict:
    doc = duplicate.doc
    similar = f" (giống {duplicate.similarity:.0%})" if duplicate.kind == NEAR else ""
    return {
        "error": f"{DUPLICATE_MESSAGES[duplicate.kind]}: {doc.doc_type} {doc.number} – {doc.title} "
                 f"(mã {doc.id}, tệp {doc.file_name}){similar}. Tệp mới chưa được nạp.",
        "status": 409, "duplicate": doc, "kind": duplicate.kind, "pending": staged.parent.name,
        "values": {key: value for key, value in values.items() if key in METADATA_FIELDS},
        "file_name": staged.name,
    }


@router.post("/documents", response_class=HTMLResponse)
async def upload(request: Request, hoidap: HoidapDep):
    form = await request.form()  # parsed once, with its limits, by require_admin
    try:
        values = metadata_values(form)
    except ValueError as exc:
        return _home(request, hoidap, {"error": str(exc)}, 400)
    received = await _received(hoidap, form)
    if isinstance(received, dict):
        return _home(request, hoidap, received, received["status"])
    result = await _queued(request, received, values, separate=form.get("separate") == "1")
    return _home(request, hoidap, result, result.get("status", 200))


async def _queued(request: Request, upload: Upload, values: dict, replacing: str = "", separate: bool = False) -> dict:
    """Queue the upload as a job; its result when it ends within a few seconds, else that it goes on."""
    jobs = request.app.state.jobs
    job_id = jobs.submit(upload, values, request.state.staff, replacing, separate)
    return await run_in_threadpool(jobs.outcome, job_id)


def _document(hoidap: Hoidap, doc_id: str) -> Document:
    doc = hoidap.store.document(doc_id)
    if doc is None:
        raise HTTPException(404, "Không tìm thấy văn bản.")
    return doc


def _detail(request: Request, hoidap: Hoidap, doc: Document, result: dict | None = None, status_code: int = 200):
    return templates.TemplateResponse(request, "admin_document.html", {
        "doc": doc, "fields": METADATA_FIELDS, "result": result, "history": versions(request).history(doc.id),
        "passages": len(hoidap.store.passages(doc.id)), "accept": ",".join(sorted(SUPPORTED)),
        "profile": _profile(hoidap, doc),
    }, status_code=status_code)


def _profile(hoidap: Hoidap, doc: Document) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the answerer quotes for questions about the document as a whole (bot/units.py), part by part: each part's
    units (section, text), blocks only where a part has one (its lines are inside it)."""
    parts: dict[str, list] = {}
    for unit in hoidap.answerer.corpus.parts_of(doc):
        parts.setdefault(unit.part, []).append(unit)
    return [(part, [(u.heading, u.text) for u in units if u.kind == "block" or not any(b.kind == "block" for b in units)])
            for part, units in parts.items()]


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def detail(request: Request, doc_id: str, hoidap: HoidapDep):
    return _detail(request, hoidap, _document(hoidap, doc_id))


async def _metadata_form(request: Request, hoidap, doc):
    """(form, its metadata fields, None), or (form, None, the document page saying what is wrong)."""
    form = await request.form()
    try:
        return form, metadata_values(form), None
    except ValueError as exc:  # the page shows the fields as typed: one wrong field must not cost the others
        typed = {key: str(form.get(key, ""))[:2000] for key in METADATA_FIELDS}
        return form, None, _detail(request, hoidap, doc, {"error": str(exc), "typed": typed}, 400)


@router.post("/documents/{doc_id}/replace", response_class=HTMLResponse)
async def replace(request: Request, doc_id: str, hoidap: HoidapDep):
    doc = _document(hoidap, doc_id)
    form, values, refused = await _metadata_form(request, hoidap, doc)
    if refused:
        return refused
    received = await _received(hoidap, form)
    if isinstance(received, dict):
        return _detail(request, hoidap, doc, received, received["status"])
    result = await _queued(request, received, values, replacing=doc.id)
    return _detail(request, hoidap, hoidap.store.document(doc_id) or doc, result, result.get("status", 200))


@router.post("/documents/{doc_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, doc_id: str, hoidap: HoidapDep):
    """New metadata for the same text: the passages keep their ids, their index header follows."""
    doc = _document(hoidap, doc_id)
    _, values, refused = await _metadata_form(request, hoidap, doc)
    if refused:
        return refused
    history = versions(request)
    if not history.history(doc.id):
        history.record(doc, UPLOADED, "dòng lệnh (hoidap ingest)")
    for key, value in values.items():
        setattr(doc, key, value)
    others = [d.locality for d in hoidap.store.documents() if d.id != doc.id]
    doc.locality = normalise_locality(doc.locality, others)
    passages = hoidap.store.passages(doc.id)
    for p in passages:
        p.header = header_line(doc, p.section)
    hoidap.store.put_document(doc, passages)
    await run_in_threadpool(hoidap.publish)
    history.record(doc, EDITED, request.state.staff)
    return _detail(request, hoidap, doc, {"ok": "Đã lưu thông tin văn bản. Câu trả lời từ nay dùng thông tin mới."})


@router.get("/documents/{doc_id}/versions/{version}/file")
def version_file(doc_id: str, version: int, hoidap: HoidapDep):
    """The original file of a replaced version, as uploaded (to keep, or to restore with "Thay thế bản cũ")."""
    kept = (hoidap.settings.files_dir / "versions").resolve()
    found = next((v for v in DocumentVersions(hoidap.store).history(doc_id) if v.version == version), None)
    path = Path(found.archived_file).resolve() if found and found.archived_file else None
    if path is None or not path.is_relative_to(kept) or not path.is_file():
        raise HTTPException(404, "Không còn tệp của bản này.")
    return FileResponse(path, filename=f"{doc_id}.v{version}{path.suffix}")


@router.get("/documents/{doc_id}/delete", response_class=HTMLResponse)
def confirm_remove(request: Request, doc_id: str, hoidap: HoidapDep):
    return templates.TemplateResponse(request, "admin_confirm_remove.html", {"doc": _document(hoidap, doc_id)})


@router.post("/documents/{doc_id}/delete", response_class=HTMLResponse)
def remove(request: Request, doc_id: str, hoidap: HoidapDep):
    doc = hoidap.store.document(doc_id)
    if doc is None or not hoidap.store.remove_document(doc_id):
        return _home(request, hoidap, {"error": f"Không có văn bản {doc_id}."}, 404)
    hoidap.publish()
    if (original := original_file(hoidap, doc)) is not None:
        original.unlink(missing_ok=True)
    if (source := staff_upload(hoidap, doc)) is not None:  # never the bundled corpus
        source.unlink(missing_ok=True)
    return _home(request, hoidap, {"ok": f"Đã xóa văn bản {doc_id}."})
