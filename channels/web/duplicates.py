"""Is an upload a document we already have? The same file, the same id, or nearly the same text.

Nearly the same: the Jaccard overlap of the two texts' 5-word shingles (folded, so a copy re-typed
without marks or re-saved as PDF still counts) is at least NEAR_DUPLICATE.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from channels.web.documents import original_file
from hoidap.models import Document
from hoidap.text import folded_syllables
from hoidap.wiring import Hoidap

SHINGLE_WORDS = 5
# A copy with a few paragraphs changed scores above 0.9; any two of the five bundled plans score at most
# 0.19 (Đồng Nai KH45 and Nam Cường, which share passages of the central plan): tests/test_admin_documents.py.
NEAR_DUPLICATE = 0.6
SAME_FILE, SAME_ID, NEAR = "same_file", "same_id", "near"


@dataclass
class Duplicate:
    doc: Document
    kind: str  # SAME_FILE | SAME_ID | NEAR
    similarity: float  # 0–1, shingle overlap


def shingles(text: str) -> set[tuple[str, ...]]:
    words = folded_syllables(text)
    return {tuple(words[i:i + SHINGLE_WORDS]) for i in range(max(len(words) - SHINGLE_WORDS + 1, 1))}


def overlap(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def find_duplicate(hoidap: Hoidap, data: bytes, text: str, doc_id: str) -> Duplicate | None:
    """The stored document this upload repeats, if any; the closest kind first."""
    digest = hashlib.sha256(data).hexdigest()
    docs = hoidap.store.documents()
    for doc in docs:
        path = original_file(hoidap, doc)
        if path is not None and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            return Duplicate(doc, SAME_FILE, 1.0)
    new = shingles(text)
    scored = [(overlap(new, shingles("\n".join(p.text for p in hoidap.store.passages(d.id)))), d) for d in docs]
    same_id = next((d for d in docs if d.id == doc_id), None)
    if same_id is not None:
        return Duplicate(same_id, SAME_ID, next(s for s, d in scored if d.id == doc_id))
    score, doc = max(scored, key=lambda sd: sd[0], default=(0.0, None))
    return Duplicate(doc, NEAR, score) if doc is not None and score >= NEAR_DUPLICATE else None
