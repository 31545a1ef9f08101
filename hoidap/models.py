"""The records that flow one way: document → passages → hits → answer."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass
class Document:
    """One staff document and the metadata read from its head (or its manifest)."""

    id: str
    title: str = ""  # trích yếu
    short_title: str = ""  # how replies tell it from its siblings: "thực hiện Nghị quyết số 71/NQ-CP"
    doc_type: str = ""  # loại văn bản: KẾ HOẠCH, NGHỊ QUYẾT, QUYẾT ĐỊNH...
    number: str = ""  # số hiệu, e.g. 45/KH-UBND (may be blank: /KH-STP)
    date: str = ""  # as written: "ngày 12 tháng 8 năm 2025"
    date_iso: str = ""  # 2025-08-12 when complete
    place: str = ""  # Đồng Nai
    issuer: str = ""  # Sở Tư pháp An Giang
    locality: str = ""  # An Giang, Nam Cường...
    signer: str = ""
    source_url: str = ""
    file_name: str = ""
    source_path: str = ""  # where it was ingested from, so a removed file can be noticed
    sha256: str = ""
    page_count: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Passage:
    """A structure-aware piece of a document, quoted verbatim to citizens."""

    id: str  # f"{doc_id}:{ordinal}"
    doc_id: str
    ordinal: int
    section: str  # "III. NHIỆM VỤ VÀ GIẢI PHÁP › 1. … › g)"
    text: str  # verbatim (NFC, whitespace repaired), never rewritten
    page: int | None = None
    header: str = ""  # issuer · locality · document · section: indexed, not quoted

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Hit:
    """A passage returned by retrieval with its fused and per-retriever scores."""

    passage: Passage
    document: Document
    score: float
    lexical: float = 0.0
    dense: float = 0.0


@dataclass
class Citation:
    doc_id: str
    title: str
    number: str
    date: str
    issuer: str
    section: str
    page: int | None
    quote: str
    url: str
    highlights: list[list[int]] = field(default_factory=list)  # [start, end) spans of quote
    locality: str = ""
    role: str = "main"  # "main": the answer itself; "more": a "Xem thêm" passage
    short_title: str = ""  # the document's (Document.short_title): tells apart two unnumbered plans of one issuer


Status = Literal["answered", "related", "not_found", "out_of_scope", "clarify", "smalltalk"]


@dataclass
class Answer:
    """The one result type every channel renders."""

    status: Status
    text: str
    citations: list[Citation] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


JobState = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    """A background job (an admin upload being ingested): its state is shown on the admin page of every replica."""

    id: str
    file_name: str
    created_by: str
    state: JobState = "queued"
    progress: str = ""  # the step it is at, in Vietnamese ("Đang nhúng vector 120/960")
    result: str = ""  # JSON: what the upload page shows when it is done
    created_at: str = ""
    updated_at: str = ""
