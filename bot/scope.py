"""What a question is about before any search: which documents it names, and whether it is ours at all."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hoidap.places import FORMER_PROVINCES, Places
from hoidap.models import Document
from hoidap.text import fold, folded_text, has_diacritics
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
# How people shorten an issuer ("STP An Giang"), read as its name.
_ABBREVIATIONS = {"stp": "so tu phap", "so tp": "so tu phap"}
_ABBREVIATION_RE = re.compile(r"\b(?:stp|so tp)\b")
_TITLE_NAMING_SYLLABLES = 3
_CLOSING_NAME = {"cua", "nay", "do", "ay", "tren"}  # what ends a document's name: "… của Sở", "… này"
_PLACE_PREFIX_RE = re.compile(r"^(tinh|xa|thanh pho|tp|huyen|phuong)\s+")
# What a plan never answers, whatever words it shares with one (folded patterns).
# An administrative procedure asked as "how do I …": the national public-service portal answers it.
_PROCEDURE_RE = re.compile(
    r"\b(vneid|dinh danh dien tu|ly lich tu phap|dang ky kinh doanh|giay phep kinh doanh|ho chieu|can cuoc"
    r"|cccd|cmnd|khai sinh|khai tu|dang ky ket hon|giay chung nhan quyen su dung dat|so do|thuong tru|tam tru"
    r"|cong chung|chung thuc|giay phep lai xe|bang lai|nop thue|ma so thue|bao hiem xa hoi|bhxh|bao hiem y te"
    r"|chu ky so ca nhan|thu tuc hanh chinh)\b")
_HOW_TO_RE = re.compile(r"\b(cach|thu tuc|lam sao|the nao|lam gi de|o dau|ho so|giay to|le phi|mat bao lau|muc 2|nop)\b")
# A request to the bot to write, translate, compose or entertain: no quote answers it. Only a request, not a
# statement ("Tôi lo việc viết bài cho Sở"): the verb opens the question or is asked of the bot ("giúp mình").
_COMPOSE_RE = re.compile(
    r"^(?:viet|soan|sang tac|lam tho)\b.*?\b(?:giup|gium|ho|cho (?:em|minh|toi|tui|chau))\b"
    r"|^(?:viet|soan|sang tac) (?:(?:mot|1|cai|vai|may|giup|gium|ho|cho|em|minh|toi) )*(?:bai|doan|email|thu|don|cau"
    r"|slide|kich ban|tho|van|khau hieu|slogan|loi)\b"
    r"|^dich (?:(?:giup|gium|ho|cho|em|minh|toi|tui) )*(?:cau|doan|bai|van ban|sang|ra)\b"
    r"|^ke (?:(?:mot|1|cho|nghe|em|minh|toi|giup|gium) )*(?:chuyen|truyen)\b"
    r"|\b(?:cau|bai) (?:khau hieu|slogan|hat)\b|\bbai (?:nghi luan|van|tho|thuyet trinh|phat bieu)\b"
    r"|\b(?:giup|gium|cho) (?:em|toi|minh|tui) (?:mot |1 )?(?:bai|doan|slide|kich ban)\b")
# The bot's own opinion asked for ("bạn nghĩ sao", "theo bạn"); "…, đúng hay sai?" about a statement is not one:
# the documents answer it. Typed bare, "ban" is also the "bản" of "văn bản nghị quyết", "theo bản kế hoạch".
_OPINION_MARKED_RE = re.compile(r"\b(?:(?:bạn|bot|ad) (?:nghĩ|thấy|đánh giá|cho rằng)|theo (?:ý )?(?:bạn|bot|ad)\b"
                                r"|(?:ý kiến|quan điểm|nhận xét) (?:của )?(?:bạn|bot|ad))\b", re.IGNORECASE)
_OPINION_RE = re.compile(
    r"\b((?<!van )(?:ban|bot|ad) (?:nghi|thay|danh gia|cho rang)(?! (?:quyet|dinh|the|doi))"
    r"|theo (?:y )?ban(?= |$)(?! (?:ke|chi|van|to|be|hanh|thuong|dan|quan|nganh|chap|tuyen))"
    r"|(?:y kien|quan diem|nhan xet) (?:cua )?(?:ban|bot|ad))\b")
# What no plan answers, whatever words it shares with one: question-level signals the decision weighs
# (bot/evidence.py), never a gate. The reply names the first one found when the decision declines.
OUTSIDE = ("place", "other_place", "law", "procedure", "topic")


@dataclass
class Scope:
    doc_ids: set[str] | None = None  # None: the question names no document or locality
    localities: list[str] = field(default_factory=list)
    naming_words: set[str] = field(default_factory=set)  # folded words that only name the scope
    names: list[str] = field(default_factory=list)  # folded phrases that name a document: "luat an ninh mang"
    order: list[str] = field(default_factory=list)  # the localities in the order the question names them
    documents: list[str] = field(default_factory=list)  # documents named one by one (by what they implement), in order

    @property
    def compared(self) -> list[str]:
        """What a comparison puts side by side, in the order named: two places or more, or two documents of one."""
        return self.order if len(self.order) > 1 else self.documents if len(self.documents) > 1 else []


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


def _bare(place: str) -> str:
    """A place name folded without its "tỉnh", "xã", "thành phố": "Thành phố Hồ Chí Minh" is "ho chi minh"."""
    return _PLACE_PREFIX_RE.sub("", folded_text(place))


def _as_now(place: str) -> str:
    """ "Bình Dương (nay thuộc Thành phố Hồ Chí Minh)": a province merged in 2025 named with the one it is part of."""
    return f"{place} (nay thuộc {FORMER_PROVINCES[place]})" if place in FORMER_PROVINCES else place


class Scoper:
    """Reads names of localities, issuers and plan numbers off a question, using the documents we hold."""

    def __init__(self, documents: list[Document], corpus_text: str, places: Places | None = None,
                 heads: dict[str, str] | None = None):
        """`heads`: each document's first passage (title and preamble: what it implements), by id."""
        self.documents = documents
        self.corpus = folded_text(corpus_text)
        self.corpus_words = set(self.corpus.split())
        # (pattern, locality, words of the name), folded as the question is: "TP. Huế" is "hue".
        self.aliases: list[tuple[re.Pattern[str], str, set[str]]] = []
        for doc in documents:
            # a province merged into the document's in 2025 is named for it too ("Bình Phước": Đồng Nai now)
            former = [old for old, now in FORMER_PROVINCES.items() if _bare(now) in {_bare(doc.locality), _bare(doc.place)}]
            for name in {doc.locality, doc.place, *former}:
                if bare := _bare(name):
                    self.aliases.append((re.compile(rf"\b{bare}\b"), doc.locality, set(bare.split())))
        self.issuers = {d.id: fold(d.issuer).replace("uy ban nhan dan", "ubnd") for d in documents}
        self.places = places or Places()
        self.held = {bare for _, _, words in self.aliases for bare in [" ".join(sorted(words))]}
        self.names = [name for doc in documents if (name := _DocumentName.of(doc))]
        self.heads = {d.id: folded_text((heads or {}).get(d.id) or d.title) for d in documents}
        self.titles: dict[str, set[tuple[str, ...]]] = {}  # by type: one scan of the question per type, not per document
        for d in documents:
            if d.doc_type:
                self.titles.setdefault(folded_text(d.doc_type), set()).add(tuple(folded_text(d.title).split()))

    def scope(self, question: str) -> Scope:
        typed = folded_text(question)
        q = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(0)], typed)
        scope = Scope()
        scope.naming_words |= {w for m in _ABBREVIATION_RE.finditer(typed) for w in m.group(0).split()}  # "stp"
        scope.naming_words |= self._title_words(q)
        found = sorted((m.start(), loc) for pattern, loc, _ in self.aliases if (m := pattern.search(q)))
        localities = set(dict.fromkeys(loc for _, loc in found))
        scope.order = list(dict.fromkeys(loc for _, loc in found))
        docs = {d.id for d in self.documents if d.locality in localities} if localities else None
        for _, loc, words in self.aliases:
            if loc in localities:
                scope.naming_words |= words | {"tinh", "xa"}
        kinds = [k for k in _ISSUER_KINDS if re.search(rf"\b{k}\b", q)]
        if kinds:
            docs = self._narrow(docs, {i for i, issuer in self.issuers.items() if any(k in issuer for k in kinds)})
            scope.naming_words |= {w for k in kinds for w in k.split()}
        for match in _PLAN_NUMBER_RE.finditer(q):
            number = match.group(1) or match.group(2)
            if numbered := {d.id for d in self.documents if d.number.split("/")[0] == number}:
                docs = self._narrow(docs, numbered)
                scope.naming_words |= {number}
        # "kế hoạch NQ71 của Sở Tư pháp An Giang": a plan named by what it implements (its head cites it). Named one
        # by one ("theo QĐ 1169 và theo NQ 71"), the plans are compared in that order.
        pool = [d.id for d in self.documents if docs is None or d.id in docs]
        mentioned = [(m.group(0), ids) for m in NUMBERED_RE.finditer(q)
                     if 0 < len(ids := [i for i in pool if re.search(rf"\b{m.group(1)}\b", self.heads[i])]) < len(pool)]
        mentions = [ids for _, ids in mentioned]
        if mentions:
            docs = self._narrow(docs, {i for ids in mentions for i in ids})
            scope.naming_words |= {w for name, _ in mentioned for w in name.split()}  # "quyet dinh 1169"
            if len(mentions) > 1 and all(len(ids) == 1 for ids in mentions):
                scope.documents = list(dict.fromkeys(ids[0] for ids in mentions))
        if named := {n.doc.id: m.group(0) for n in self.names if (m := n.anywhere.search(q))}:  # "Theo Bộ luật Hình sự, …"
            docs = self._narrow(docs, set(named))
            scope.names = list(named.values())
        scope.doc_ids = docs
        scope.localities = sorted({d.locality for d in self.documents if docs and d.id in docs})
        scope.order = [loc for loc in scope.order if loc in scope.localities]
        return scope

    def _title_words(self, q: str) -> set[str]:
        """The words of a document named by its title after its type, as the title opens ("kế hoạch chuyển đổi số
        của xã Hòa An" for "KẾ HOẠCH Chuyển đổi số trên địa bàn xã"): three syllables or more, or two where the name
        visibly ends ("kế hoạch tuyên truyền này", "… của Sở"); two alone are a topic ("kế hoạch tuyên truyền gì")."""
        named: set[str] = set()
        for kind, titles in self.titles.items():
            for m in re.finditer(rf"\b{kind} ", q):
                after = q[m.end():].split()
                for title in titles:
                    opens = next((i for i, (a, b) in enumerate(zip(after, title)) if a != b),
                                 min(len(after), len(title)))
                    closed = opens == len(after) or after[opens] in _CLOSING_NAME  # "kế hoạch tuyên truyền này"
                    if opens >= _TITLE_NAMING_SYLLABLES or opens >= 2 and closed:
                        named |= set(after[:opens])
        return named

    def _narrow(self, docs: set[str] | None, chosen: set[str]) -> set[str] | None:
        """`docs` narrowed to `chosen` place by place: a place none of `chosen` belongs to keeps its documents ("kế
        hoạch NQ 71 của An Giang và kế hoạch của Hà Tĩnh"); with no place named, `chosen` (None when empty)."""
        if docs is None:
            return chosen or None
        locality = {d.id: d.locality for d in self.documents}
        touched = {locality[i] for i in chosen & docs}
        return {i for i in docs if i in chosen or locality[i] not in touched}

    def named_documents(self, before: str, after: str) -> list[Document]:
        """The documents named right after an article (`after`: "[của] Luật An ninh mạng …") or right before it
        (`before`: "… Luật An ninh mạng"), folded; newest first."""
        named = [n.doc for n in self.names if n.after.match(after) or n.before.search(before)]
        return sorted(named, key=lambda d: d.date_iso, reverse=True)

    def unplanned_places(self, question: str) -> list[str]:
        """Provinces and communes the question names when none of them is a place we hold a plan of."""
        named = self.places.named(question)
        if any(self._held(n) for n in named):
            return []
        return [] if self.scope(question).doc_ids else named

    def _held(self, place: str) -> bool:
        return any(" ".join(sorted(_bare(name).split())) in self.held for name in (place, FORMER_PROVINCES.get(place, place)))

    def addressed_to_bot(self, question: str, core: str) -> str | None:
        """ "compose" (the core asks the bot to write, translate or entertain) or "opinion" (the question asks
        for the bot's own view), else None: rules about the bot itself, decided before any search."""
        if _COMPOSE_RE.search(folded_text(core)):
            return "compose"
        if _OPINION_MARKED_RE.search(question) if has_diacritics(question) else _OPINION_RE.search(folded_text(question)):
            return "opinion"
        return None

    def outside(self, question: str) -> dict[str, str]:
        """Signals that no document we hold answers the question, each with its detail: "place" (a place we hold
        no plan of), "other_place" (one named beside a place we hold), "law" (a law or numbered decision the corpus never mentions), "procedure" (an
        administrative procedure asked as a how-to, or one the corpus never mentions), "topic" (weather,
        prices, sport, a personal dispute, in words the corpus never uses)."""
        q = folded_text(question)
        found: dict[str, str] = {}
        if places := self.unplanned_places(question):
            found["place"] = ", ".join(map(_as_now, places))
        elif others := [n for n in self.places.named(question) if not self._held(n)]:  # "Thanh Hóa có như Đồng Nai không?"
            found["other_place"] = ", ".join(map(_as_now, others))
        if any(f"luat {folded_text(m.group(1))}" not in self.corpus for m in _LAW_RE.finditer(question)) or any(
                m.group(1) not in self.corpus_words for m in NUMBERED_RE.finditer(q)):
            found["law"] = ""
        procedure = _PROCEDURE_RE.search(q)
        if procedure and (_HOW_TO_RE.search(q) or procedure.group(1) not in self.corpus):
            found["procedure"] = ""
        # a topic the corpus itself speaks of ("tòa án", "thừa kế" in a civil code) is asked of it
        if topic := next((name for name, pattern in _OFF_TOPIC_RES.items()
                          if any(m.group(1) not in self.corpus for m in pattern.finditer(q))), None):
            found["topic"] = topic
        return found
