"""What a question is about before any search: which documents it names, and whether it is ours at all."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hoidap.models import Document
from hoidap.text import fold, folded_text

# Topics citizens also ask a public chatbot, none of which a plan on Resolution 57 answers.
OFF_TOPICS = {
    "thời tiết": r"thoi tiet|troi mua|co mua|mua khong|mua bao|nhiet do|du bao",
    "giá cả, vàng, ngoại tệ": r"gia vang|vang sjc|sjc|ty gia|gia usd|chung khoan|gia xang|gia dien thoai",
    "thể thao": r"bong da|ty so|tran dau|doi tuyen|world cup|ngoai hang|tran viet nam",
    "vụ việc pháp lý cá nhân": r"khoi kien|muon kien|di kien|kien ra|toa an|ly hon|ly di|tranh chap|thua ke|lan sang|lan dat|hang xom",
}
_OFF_TOPIC_RES = {name: re.compile(rf"\b({pattern})\b") for name, pattern in OFF_TOPICS.items()}
# "Luật Đất đai", "Nghị định 13", "Quyết định số 1169": references the corpus may or may not hold.
# A law is named with capitals ("Luật Đất đai"); "pháp luật" in running text is not a reference.
_LAW_RE = re.compile(r"\b(?:Bộ luật|Luật|LUẬT) ([A-ZĐÀ-Ỹ]\w*(?: \w+)?)")
# "Nghị quyết 71", "NQ57", "quyết định số 1169" in folded text: the number of a cited document.
NUMBERED_RE = re.compile(r"\b(?:nghi quyet|nghi dinh|quyet dinh|thong tu|chi thi|nq|qd|nd|tt)\s*(?:so\s*)?(\d+)\b")
_PLAN_NUMBER_RE = re.compile(r"\b(?:ke hoach|kh)\s*(?:so\s*)?(\d+)\b|\b(\d+)\s*/\s*kh\b")
_ISSUER_KINDS = ["so tu phap", "ubnd tinh", "ubnd xa", "uy ban nhan dan tinh", "uy ban nhan dan xa"]
_PLACE_PREFIX_RE = re.compile(r"^(tinh|xa|thanh pho|tp|huyen|phuong)\s+")


@dataclass
class Scope:
    doc_ids: set[str] | None = None  # None: the question names no document or locality
    localities: list[str] = field(default_factory=list)
    naming_words: set[str] = field(default_factory=set)  # folded words that only name the scope


class Scoper:
    """Reads names of localities, issuers and plan numbers off a question, using the documents we hold."""

    def __init__(self, documents: list[Document], corpus_text: str):
        self.documents = documents
        self.corpus = folded_text(corpus_text)
        self.corpus_words = set(self.corpus.split())
        # (pattern, locality, words of the name), folded as the question is: "TP. Huế" is "hue".
        self.aliases: list[tuple[re.Pattern[str], str, set[str]]] = []
        for doc in documents:
            for name in {doc.locality, doc.place}:
                if bare := _PLACE_PREFIX_RE.sub("", folded_text(name)):
                    self.aliases.append((re.compile(rf"\b{bare}\b"), doc.locality, set(bare.split())))
        self.issuers = {d.id: fold(d.issuer).replace("uy ban nhan dan", "ubnd") for d in documents}

    def scope(self, question: str) -> Scope:
        q = folded_text(question)
        scope = Scope()
        localities = {loc for pattern, loc, _ in self.aliases if pattern.search(q)}
        docs = {d.id for d in self.documents if d.locality in localities} if localities else None
        for _, loc, words in self.aliases:
            if loc in localities:
                scope.naming_words |= words | {"tinh", "xa"}
        kinds = [k for k in _ISSUER_KINDS if re.search(rf"\b{k}\b", q)]
        if kinds:
            by_issuer = {doc_id for doc_id, issuer in self.issuers.items() if any(k in issuer for k in kinds)}
            docs = (docs & by_issuer or docs) if docs is not None else by_issuer or None
            scope.naming_words |= {w for k in kinds for w in k.split()}
        for match in _PLAN_NUMBER_RE.finditer(q):
            number = match.group(1) or match.group(2)
            numbered = {d.id for d in self.documents if d.number.split("/")[0] == number}
            if numbered:
                docs = numbered
                scope.naming_words |= {number}
        scope.doc_ids = docs
        scope.localities = sorted({d.locality for d in self.documents if docs and d.id in docs})
        return scope

    def off_topic(self, question: str) -> str | None:
        """The name of an off-corpus topic, or of a law the corpus never mentions."""
        q = folded_text(question)
        for name, pattern in _OFF_TOPIC_RES.items():
            if pattern.search(q):
                return name
        for match in _LAW_RE.finditer(question):
            if f"luat {folded_text(match.group(1))}" not in self.corpus:
                return "văn bản pháp luật chưa có trong kho"
        for match in NUMBERED_RE.finditer(q):
            if match.group(1) not in self.corpus_words:
                return "văn bản pháp luật chưa có trong kho"
        return None
