"""Readable document pages, the target of every citation link, and the original files."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from channels.web.deps import HoidapDep, templates
from channels.web.errors import documented
from hoidap.models import Document
from hoidap.wiring import Hoidap

router = APIRouter(tags=["Văn bản"], responses=documented(404))


def original_file(hoidap: Hoidap, doc: Document) -> Path | None:
    files_dir = hoidap.settings.files_dir.resolve()
    path = (files_dir / f"{doc.id}{Path(doc.file_name).suffix.lower()}").resolve()
    return path if path.is_relative_to(files_dir) and path.is_file() else None


def _document(hoidap: Hoidap, doc_id: str) -> Document:
    doc = hoidap.store.document(doc_id)
    if doc is None:
        raise HTTPException(404, "Không tìm thấy văn bản.")
    return doc


@router.get("/documents/{doc_id}", response_class=HTMLResponse, summary="Toàn văn một văn bản")
def document_page(request: Request, doc_id: str, hoidap: HoidapDep):
    doc = _document(hoidap, doc_id)
    return templates.TemplateResponse(request, "document.html", {
        "doc": doc,
        "passages": hoidap.store.passages(doc.id),
        "has_file": original_file(hoidap, doc) is not None,
    })


@router.get("/documents/{doc_id}/file", summary="Tải tệp gốc")
def document_file(doc_id: str, hoidap: HoidapDep):
    doc = _document(hoidap, doc_id)
    path = original_file(hoidap, doc)
    if path is None:
        raise HTTPException(404, "Không còn tệp gốc của văn bản này.")
    return FileResponse(path, filename=f"{doc.id}{path.suffix}")
