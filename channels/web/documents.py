"""Readable document pages, the target of every citation link, and the original files."""
from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from bot.render import clean_heading, real_number, short_date, strip_emphasis
from channels.web.deps import HoidapDep, templates
from channels.web.errors import documented
from hoidap.models import Document, Passage
from hoidap.wiring import Hoidap
from ingest.chunking import article_anchor

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


def details(doc: Document) -> list[tuple[str, str]]:
    """The metadata worth showing: a draft's blanks ("/KH-STP", "ngày tháng 10 năm 2025") are left out."""
    rows = [("Số hiệu", real_number(doc.number)), ("Ngày ban hành", doc.date if short_date(doc.date) else ""),
            ("Cơ quan ban hành", doc.issuer), ("Địa phương", doc.locality), ("Người ký", clean_heading(doc.signer))]
    return [(name, value) for name, value in rows if value.strip()]


def new_headings(passages: list[dict]) -> list[dict]:
    """Each passage's `heading`: the part of its section path not already open above it ("4. Năm 2030" after
    "II. MỤC TIÊU CỤ THỂ › 3. Năm 2028"), blank when its section goes on; the full path stays in `section`."""
    before: list[str] = []
    for p in passages:
        path = [part.strip() for part in p["section"].split("›")] if p["section"] else []
        common = next((i for i, (a, b) in enumerate(zip(before, path)) if a != b), min(len(before), len(path)))
        p["heading"] = " › ".join(path[common:]) if path != before else ""
        before = path
    return passages


def articles(passages: list[dict]) -> list[tuple[str, list[dict]]]:
    """Shown passages grouped by article, each group with its id ("dieu-129", the target of legal citations; blank
    outside articles and for an article number seen before)."""
    groups: list[tuple[str, list[dict]]] = []
    seen: set[str] = set()
    for p in passages:
        anchor = p["article"]
        if groups and anchor and anchor == groups[-1][0]:
            groups[-1][1].append(p)
            continue
        groups.append(("" if anchor in seen else anchor, [p]))
        seen.add(anchor)
    return groups


def _words_re(text: str) -> re.Pattern:
    """`text` with any run of spaces or line breaks between its words: a link carries the quote on one line."""
    return re.compile(r"\s+".join(map(re.escape, text.split())))


def shown_passage(p: Passage, start: str = "", end: str = "") -> dict:
    """A passage as shown: emphasis stripped, the quoted range (from `start` to `end`, when it is in there) cut out to be
    marked."""
    text = strip_emphasis(p.text).text
    parts = (text, "", "")
    if start.strip() and (found := _words_re(start).search(text)):
        to = _words_re(end).search(text, found.end()) if end.strip() else None
        stop = to.end() if to else found.end()
        parts = (text[:found.start()], text[found.start():stop], text[stop:])
    return {"ordinal": p.ordinal, "section": clean_heading(p.section), "article": article_anchor(p.section),
            "page": p.page, "parts": parts}


@router.get("/documents", response_class=HTMLResponse, summary="Danh sách văn bản (trang công khai)")
def document_list(request: Request, hoidap: HoidapDep):
    docs = [(d, short_date(d.date), clean_heading(d.title)) for d in hoidap.store.documents()]
    return templates.TemplateResponse(request, "documents.html", {"docs": docs})


@router.get("/documents/{doc_id}", response_class=HTMLResponse, summary="Toàn văn một văn bản")
def document_page(request: Request, doc_id: str, hoidap: HoidapDep, p: int = 0, q: str = "", to: str = ""):
    """`p`, `q`, `to`: the cited passage and the quoted range's opening and closing words (a citation link carries
    them), marked there."""
    doc = _document(hoidap, doc_id)
    start, end = q[:1000], to[:1000]
    return templates.TemplateResponse(request, "document.html", {
        "doc": doc,
        "title": clean_heading(doc.title) or doc.id,
        "details": details(doc),
        "articles": articles(new_headings([shown_passage(passage, *((start, end) if passage.ordinal == p else ()))
                                           for passage in hoidap.store.passages(doc.id)])),
        "has_file": original_file(hoidap, doc) is not None,
    })


@router.get("/documents/{doc_id}/file", summary="Tải tệp gốc")
def document_file(doc_id: str, hoidap: HoidapDep):
    doc = _document(hoidap, doc_id)
    path = original_file(hoidap, doc)
    if path is None:
        raise HTTPException(404, "Không còn tệp gốc của văn bản này.")
    return FileResponse(path, filename=f"{doc.id}{path.suffix}")
