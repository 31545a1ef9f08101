"""What a question is about before any search: which documents it names, and whether it is ours at all."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.places import Places
from hoidap.models import Document
from hoidap.text import fold, folded_text
from ingest.metadata import LAW_TYPES, legal_name

# Topics citizens also ask a public chatbot, none of which a plan on Resolution 57 answers.
OFF_TOPICS = {
    "thời tiết": r"thoi tiet|troi mua|co mua|mua khong|mua bao|nhiet do|du bao",
    "giá cả, vàng, ngoại tệ": r"gia vang|vang sjc|sjc|ty gia|gia usd|chung khoan|gia xang|gia dien thoai",
    "thể thao": r"bong da|ty so|tran dau|doi tuyen|world cup|ngoai hang|tran viet nam",
    "vụ việc pháp lý cá nhân": r"khoi kien|muon kien|di kien|kien ra|toa an|ly hon|ly di|tranh chap|thua ke|lan sang|lan dat|hang xom",
}
_OFF_TOPIC_RES = {name: re.compile(rf"\b({pattern})\b") for name, pattern in OFF_TOPICS.items()}
# "Điều 5 [của] Luật Đất đai" typed bare (folded): a law named beside an article.
LAW_NAMED_RE = re.compile(r"^(?:cua )?(?:bo )?(?:luat|phap lenh)\b")
# "Luật Đất đai", "Nghị định 13", "Quyết định số 1169": references the corpus may or may not hold.
# A law is named with capitals ("Luật Đất đai"); "pháp luật" in running text is not a reference.
_LAW_RE = re.compile(r"\b(?:Bộ luật|Luật|LUẬT) ([A-ZĐÀ-Ỹ]\w*(?: \w+)?)")
# "Nghị quyết 71", "NQ57", "quyết định số 1169" in folded text: the number of a cited document.
NUMBERED_RE = re.compile(r"\b(?:nghi quyet|nghi dinh|quyet dinh|thong tu|chi thi|nq|qd|nd|tt)\s*(?:so\s*)?(\d+)\b")
_PLAN_NUMBER_RE = re.compile(r"\b(?:ke hoach|kh)\s*(?:so\s*)?(\d+)\b|\b(\d+)\s*/\s*kh\b")
_ISSUER_KINDS = ["so tu phap", "ubnd tinh", "ubnd xa", "uy ban nhan dan tinh", "uy ban nhan dan xa"]
_PLACE_PREFIX_RE = re.compile(r"^(tinh|xa|thanh pho|tp|huyen|phuong)\s+")
# What a plan never answers, whatever words it shares with one (folded patterns).
# An administrative procedure asked as "how do I …": the national public-service portal answers it.
_PROCEDURE_RE = re.compile(
    r"\b(vneid|dinh danh dien tu|ly lich tu phap|dang ky kinh doanh|giay phep kinh doanh|ho chieu|can cuoc"
    r"|cccd|cmnd|khai sinh|khai tu|dang ky ket hon|giay chung nhan quyen su dung dat|so do|thuong tru|tam tru"
    r"|cong chung|chung thuc|giay phep lai xe|bang lai|nop thue|ma so thue|bao hiem xa hoi|bhxh|bao hiem y te"
    r"|chu ky so ca nhan|thu tuc hanh chinh)\b")
_HOW_TO_RE = re.compile(r"\b(cach|thu tuc|lam sao|the nao|lam gi de|o dau|ho so|giay to|le phi|mat bao lau|muc 2|nop)\b")
# A request to write, translate or compose: no quote answers it.
_COMPOSE_RE = re.compile(
    r"\b((viet|sang tac) (giup|ho|cho|mot|bai|doan|vai)|soan (giup|ho|cho|thao|bai|mot|giup)"
    r"|lam (giup|ho) (bai|minh|em|toi)|(cau|bai) (khau hieu|slogan|hat)|cau tho"
    r"|dich (giup|ho|sang)|tom tat (giup|ho)|lam tho|bai (nghi luan|van|tho|thuyet trinh|phat bieu|luan)"
    r"|(cho|giup) (em|toi|minh) (mot )?(bai|doan|slide|kich ban))\b")
# An opinion: the documents state plans, not views. Bare "ban nghi", "ban thay" are also the "bản" of
# "văn bản nghị quyết", "văn bản thay thế".
_OPINION_RE = re.compile(
    r"\b((?<!van )ban (nghi|thay)(?! (quyet|dinh|the))|theo ban|y kien (cua )?ban|quan diem (cua )?ban|co nen|nen hay khong|danh gia (the nao|sao)"
    r"|co tot khong|tot hay (khong|xau)|dung hay sai|co kha thi khong|co hieu qua khong|co phai (la )?hinh thuc)\b")


@dataclass
class Scope:
    doc_ids: set[str] | None = None  # None: the question names no document or locality
    localities: list[str] = field(default_factory=list)
    naming_words: set[str] = field(default_factory=set)  # folded words that only name the scope


@dataclass(frozen=True)
class _DocumentName:
    """How a question names a document (folded), read off its metadata: a law by its name ("bộ luật lao động",
    "luật lao động"), any document by its number ("luật số 24/2018/QH14"; after its type, its first part:
    "quyết định 12"). Three patterns: right after an article ("Điều 5 [của] …"), right before one, anywhere."""

    doc: Document
    after: re.Pattern[str]
    before: re.Pattern[str]
    anywhere: re.Pattern[str]

    @classmethod
    def of(cls, doc: Document) -> _DocumentName | None:
        names = []
        if doc.number[:1].isdigit():
            number, kind = folded_text(doc.number), folded_text(doc.doc_type).removeprefix("bo ")
            names.append(rf"(?:\w+ ){{0,3}}{number}" + (rf"|(?:bo )?{kind} (?:so )?{number.split()[0]}" if kind else ""))
        if doc.doc_type in LAW_TYPES and doc.title:
            names.append(r"(?:bo )?" + re.escape(folded_text(legal_name(doc)).removeprefix("bo ")))
        if not names:
            return None
        name = "|".join(names)
        return cls(doc, re.compile(rf"(?:cua )?(?:{name})\b"), re.compile(rf"\b(?:{name})(?: nam)?(?: \d{{4}})?$"),
                   re.compile(rf"\b(?:{name})\b"))


class Scoper:
    """Reads names of localities, issuers and plan numbers off a question, using the documents we hold."""

    def __init__(self, documents: list[Document], corpus_text: str, places: Places | None = None):
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
        self.places = places or Places()
        self.held = {bare for _, _, words in self.aliases for bare in [" ".join(sorted(words))]}
        self.names = [name for doc in documents if (name := _DocumentName.of(doc))]

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
        if named := {n.doc.id for n in self.names if n.anywhere.search(q)}:  # "Theo Bộ luật Hình sự, …"
            docs = named
        scope.doc_ids = docs
        scope.localities = sorted({d.locality for d in self.documents if docs and d.id in docs})
        return scope

    def named_documents(self, before: str, after: str) -> list[Document]:
        """The documents named right after an article (`after`: "[của] Luật An ninh mạng …") or right before it
        (`before`: "… Luật An ninh mạng"), folded; newest first."""
        named = [n.doc for n in self.names if n.after.match(after) or n.before.search(before)]
        return sorted(named, key=lambda d: d.date_iso, reverse=True)

    def unplanned_places(self, question: str) -> list[str]:
        """Provinces and communes the question names when none of them is a place we hold a plan of."""
        named = self.places.named(folded_text(question))
        if any(" ".join(sorted(_PLACE_PREFIX_RE.sub("", folded_text(n)).split())) in self.held for n in named):
            return []
        return [] if self.scope(question).doc_ids else named

    def off_topic(self, question: str) -> tuple[str, str] | None:
        """(reason, detail) for what no plan answers: a topic ("topic", its name), a law the corpus never
        mentions ("law"), a request to compose ("compose"), an opinion ("opinion"), a procedure ("procedure")."""
        q = folded_text(question)
        if _COMPOSE_RE.search(q):
            return "compose", ""
        if _OPINION_RE.search(q):
            return "opinion", ""
        procedure = _PROCEDURE_RE.search(q)
        if procedure and (_HOW_TO_RE.search(q) or procedure.group(1) not in self.corpus):
            return "procedure", ""
        for name, pattern in _OFF_TOPIC_RES.items():
            if pattern.search(q):
                return "topic", name
        for match in _LAW_RE.finditer(question):
            if f"luat {folded_text(match.group(1))}" not in self.corpus:
                return "law", ""
        for match in NUMBERED_RE.finditer(q):
            if match.group(1) not in self.corpus_words:
                return "law", ""
        return None
