"""Read staff documents (PDF, DOCX, TXT/MD, HTML) into plain NFC text per page.

Every page comes back with paragraphs separated by one blank line. A file that cannot be read
raises LoadError with a Vietnamese message naming it, so a batch can report it and go on.
"""
from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from hoidap import legacy
from hoidap.text import fix_pdf_spacing, looks_hard_wrapped, repair_lines, tidy_paragraphs, unicodedata_nfc
from ingest import ocr
from ingest.archives import ArchiveError, checked_copy

SUPPORTED = {".pdf", ".docx", ".txt", ".md", ".html", ".htm"}

# What one file may unpack to. Far above any real plan or resolution (a 300-page DOCX holds a few MB
# of XML), far below what would exhaust the server: a small file that unpacks to more is refused.
MAX_DOCX_MEMBER_BYTES = 25 * 1024 * 1024  # one part of the DOCX archive (word/document.xml, an image)
MAX_DOCX_UNPACKED_BYTES = 60 * 1024 * 1024  # the whole DOCX archive, unpacked
MAX_PDF_PAGES = 2000
MAX_TEXT_CHARS = 10_000_000  # text extracted from one file
MAX_PDF_SECONDS = 600  # reading one PDF (OCR of scanned pages takes 0.5–1 s a page): stop, do not hang the ingest

# What a file really is, by its first bytes, for a clear message when the extension lies.
_MAGIC = {
    b"%PDF": "PDF",
    b"\x89PNG": "ảnh PNG",
    b"\xff\xd8\xff": "ảnh JPEG",
    b"GIF8": "ảnh GIF",
    b"PK\x03\x04": "tệp nén ZIP/Office",
    b"\xd0\xcf\x11\xe0": "tệp Word/Excel cũ (.doc/.xls)",
}


class LoadError(Exception):
    """A file that cannot be read; the message names the file and says why, in Vietnamese."""


@dataclass
class LoadedFile:
    path: Path
    pages: list[str]  # one string per page (a single page for formats without pages)
    warnings: list[str] = field(default_factory=list)


def load(path: Path) -> LoadedFile:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"{path.name}: định dạng {suffix or '(không có đuôi)'} chưa được hỗ trợ")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path.name}: không đọc được tệp ({exc.strerror})") from exc
    if not raw.strip():
        raise LoadError(f"{path.name}: tệp rỗng")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_text)
    loaded = LoadedFile(path, [])
    try:
        pages = reader(path, raw, loaded.warnings)
    except LoadError:
        raise
    except Exception as exc:  # parsers raise many types for damaged files; all mean "cannot read"
        raise LoadError(f"{path.name}: tệp {suffix} bị hỏng hoặc sai định dạng, không đọc được ({exc})") from exc
    if (chars := sum(map(len, pages))) > MAX_TEXT_CHARS:
        raise LoadError(f"{path.name}: văn bản quá dài ({chars} ký tự, tối đa {MAX_TEXT_CHARS}) — "
                        "hãy tách thành nhiều tệp")
    for number, page in enumerate(pages, start=1):
        loaded.pages.append(_check_page(path.name, number, len(pages), page, loaded.warnings))
    if not any(page.strip() for page in loaded.pages):
        hint = ""
        if suffix == ".pdf":
            hint = " — có thể là bản scan (ảnh chụp), cần nhận dạng chữ (OCR)"
            if not ocr.available():
                hint += f"; {ocr.INSTALL_HINT}"
            elif loaded.warnings:  # why OCR read nothing
                hint += f"; {loaded.warnings[-1]}"
        raise LoadError(f"{path.name}: không có nội dung chữ{hint}")
    return loaded


def _check_page(name: str, number: int, total: int, text: str, warnings: list[str]) -> str:
    """Convert legacy-font text to Unicode and warn about a page that still looks unreadable."""
    where = _where(name, number, total)
    text, encoding = legacy.repair(text)
    if encoding:
        warnings.append(f"{where}: văn bản dùng mã cũ ({encoding}), đã tự chuyển sang Unicode — nên kiểm tra lại")
    if legacy.looks_unreadable(text):
        warnings.append(
            f"{where}: nhiều ký tự không phải chữ tiếng Việt — có thể do phông chữ cũ hoặc lỗi mã hóa; "
            "nội dung trang này có thể đọc sai"
        )
    return unicodedata_nfc(text)


def _where(name: str, number: int, total: int) -> str:
    return f"{name}, trang {number}" if total > 1 else name


def _sniff(name: str, raw: bytes, expected: str) -> None:
    head = raw[:1024].lstrip()
    kind = next((label for magic, label in _MAGIC.items() if head.startswith(magic)), None)
    if kind != expected:
        actual = f"thực chất là {kind}" if kind else "nội dung không phải"
        raise LoadError(f"{name}: tệp có đuôi {Path(name).suffix} nhưng {actual}" + ("" if kind else f" {expected}"))


def _read_pdf(path: Path, raw: bytes, warnings: list[str]) -> list[str]:
    import pypdf

    _sniff(path.name, raw, "PDF")
    reader = pypdf.PdfReader(io.BytesIO(raw))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # files locked only against editing open with an empty password
        except Exception:  # AES without the crypto extra, or a damaged security dictionary
            opened = 0
        if not opened:
            raise LoadError(f"{path.name}: PDF có mật khẩu, không mở được — hãy gỡ mật khẩu rồi nạp lại")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise LoadError(f"{path.name}: PDF có {len(reader.pages)} trang, vượt giới hạn {MAX_PDF_PAGES} trang — "
                        "hãy tách thành nhiều tệp")
    pages, started = [], time.monotonic()
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() - started > MAX_PDF_SECONDS:
            raise LoadError(f"{path.name}: đọc quá {MAX_PDF_SECONDS} giây, dừng ở trang {number}/{len(reader.pages)} — "
                            "hãy tách thành nhiều tệp hoặc nạp bản có lớp chữ")
        try:  # layout mode keeps the vertical gaps that tell paragraphs apart
            text = page.extract_text(extraction_mode="layout")
        except Exception:
            text = page.extract_text()
        if not (text or "").strip():
            text = _ocr_page(page, _where(path.name, number, len(reader.pages)), warnings)
        pages.append(repair_lines(fix_pdf_spacing(text or "")))
    return pages


def _ocr_page(page, where: str, warnings: list[str]) -> str:
    """Text of a page that has images but no text layer (a scan), or "" with a warning saying why."""
    if not page.images:
        return ""
    if not ocr.available():
        warnings.append(f"{where}: không có lớp chữ (bản scan), chưa nhận dạng được — {ocr.INSTALL_HINT}")
        return ""
    try:
        text = ocr.page_text(page)
    except ocr.OcrError as exc:
        warnings.append(f"{where}: không có lớp chữ, nhận dạng chữ (OCR) thất bại — {exc}")
        return ""
    if text.strip():
        warnings.append(f"{where}: không có lớp chữ, đã nhận dạng chữ (OCR) — nên kiểm tra lại")
    else:
        warnings.append(f"{where}: trang chỉ có ảnh, nhận dạng chữ (OCR) không thấy chữ nào")
    return text


def _read_docx(path: Path, raw: bytes, warnings: list[str]) -> list[str]:
    import docx
    from docx.table import Table

    _sniff(path.name, raw, "tệp nén ZIP/Office")
    try:  # read within the budget, whatever sizes the archive declares (ingest/archives.py)
        clean = checked_copy(raw, MAX_DOCX_MEMBER_BYTES, MAX_DOCX_UNPACKED_BYTES)
    except ArchiveError as exc:
        raise LoadError(f"{path.name}: tệp DOCX {exc} — tệp hỏng hoặc độc hại, không nạp") from None
    if "word/document.xml" not in zipfile.ZipFile(io.BytesIO(clean)).namelist():
        raise LoadError(f"{path.name}: tệp nén này không phải văn bản Word (.docx)")
    document = docx.Document(io.BytesIO(clean))
    blocks = []
    for item in document.iter_inner_content():
        blocks.extend(_table_rows(item) if isinstance(item, Table) else [item.text])
    return [_paragraphs("\n".join(blocks))]


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        rows.append(" | ".join(cells))
    return rows


def _read_text(path: Path, raw: bytes, warnings: list[str]) -> list[str]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_legacy(path.name, raw, warnings)
    return [_paragraphs(text)]


def _decode_legacy(name: str, raw: bytes, warnings: list[str]) -> str:
    """Windows-1258/1252 or Latin-1 bytes, accepted only when the result is clearly Vietnamese."""
    for encoding in ("cp1258", "cp1252", "latin-1"):
        try:
            text = unicodedata_nfc(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
        # Windows-1252 is how TCVN3/VNI files arrive: repair here so the check sees real Vietnamese.
        fixed, _ = legacy.repair(text)
        if legacy.syllable_share(fixed) >= 0.6 and legacy.is_unicode_vietnamese(fixed):
            warnings.append(f"{name}: tệp không phải UTF-8, đã đọc theo bảng mã {encoding}")
            return text
    raise LoadError(f"{name}: tệp văn bản không phải UTF-8 và không nhận ra bảng mã tiếng Việt")


def _paragraphs(text: str) -> str:
    """Join hard-wrapped lines only when the text looks wrapped; otherwise one paragraph per line."""
    text = unicodedata_nfc(text)
    return repair_lines(text) if looks_hard_wrapped(text) else tidy_paragraphs(text)


_BLOCK_TAGS = "p,h1,h2,h3,h4,h5,h6,li,tr,div,section,article,blockquote,pre,dt,dd,caption,table,ul,ol,header,footer,main"


def _read_html(path: Path, raw: bytes, warnings: list[str]) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(raw.decode("utf-8-sig", errors="replace"))
    for node in tree.css("script,style,nav,noscript,template,svg"):
        node.decompose()
    # Mark block edges with a paragraph separator, since source newlines are only spacing in HTML.
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before("\u2029")
        node.insert_after("\u2029")
    for node in tree.css("td,th"):
        node.insert_after(" | ")
    for node in tree.css("br"):
        node.replace_with("\u2029")
    root = tree.body or tree.root
    text = root.text(separator="") if root else ""
    paragraphs = (" ".join(part.split()).strip(" |") for part in text.split("\u2029"))
    return ["\n\n".join(unicodedata_nfc(p) for p in paragraphs if p)]
