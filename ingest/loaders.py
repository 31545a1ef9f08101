"""Read staff documents (PDF, DOCX, TXT/MD, HTML) into plain NFC text per page."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hoidap.text import repair_lines, unicodedata_nfc

SUPPORTED = {".pdf", ".docx", ".txt", ".md", ".html", ".htm"}


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
    if suffix in {".txt", ".md"}:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LoadError(f"{path.name}: tệp văn bản không phải UTF-8") from exc
        return LoadedFile(path, [repair_lines(unicodedata_nfc(text))])
    raise LoadError(f"{path.name}: định dạng {suffix} chưa được cài đặt")
