"""Search filters and a detector for the place or plan a question names."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hoidap.models import Document
from hoidap.text import fold, folded_text

# Administrative prefixes a citizen may or may not type before a place name.
_PREFIX_RE = re.compile(r"^(tinh|thanh pho|tp\.?|huyen|quan|thi xa|xa|phuong|thi tran)\s+")
_NUMBER_RE = re.compile(r"^\s*(\d+)")


@dataclass
class Filters:
    locality: str | None = None
    doc_id: str | None = None
    doc_type: str | None = None

    def __bool__(self) -> bool:
        return bool(self.locality or self.doc_id or self.doc_type)

    def passes(self, doc: Document) -> bool:
        return (
            (not self.locality or _place(self.locality) == _place(doc.locality))
            and (not self.doc_id or self.doc_id == doc.id)
            and (not self.doc_type or fold(self.doc_type) == fold(doc.doc_type))
        )


def _place(name: str) -> str:
    return _PREFIX_RE.sub("", folded_text(name))


def detect_filters(query: str, documents: list[Document]) -> Filters:
    """The one locality or plan a question names ("ở Đồng Nai", "kế hoạch 45", "dong nai").

    Naming two places (a comparison) or none gives no filter.
    """
    words = f" {folded_text(query)} "
    places = {_place(p) for d in documents for p in (d.locality, d.place) if _place(p)}
    named = {p for p in places if f" {p} " in words}
    by_number = [
        d for d in documents
        if (m := _NUMBER_RE.match(d.number)) and re.search(rf" (ke hoach|kh)( so)? {m.group(1)} ", words)
    ]
    if len(by_number) == 1 and len(named) <= 1:
        return Filters(doc_id=by_number[0].id)
    if len(named) == 1:
        place = named.pop()
        return Filters(locality=next(d.locality for d in documents if place in (_place(d.locality), _place(d.place))))
    return Filters()
