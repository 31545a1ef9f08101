"""Question → Answer, composed from templates and quoted passages only (no generation)."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot import facts, smalltalk
from bot.asking import DATE_ASKING, asks_date, asks_number, asks_which_plan, holds_date, states_number
from bot.curated import CuratedAnswer, CuratedAnswers
from bot.quote import excerpt, highlights
from bot.scope import Scope, Scoper
from bot.session import SessionMemory, Turn
from bot.words import Vocabulary, content_words
from hoidap.config import Settings
from hoidap.models import Answer, Citation, Document, Hit, Passage
from hoidap.store import Store
from ingest.chunking import section_at
from hoidap.text import collapse_ws, fold, normalize
from retrieval import Filters, Retriever

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # plain text; each renderer escapes for its channel
)

# Calibrated on seed_questions_dev.jsonl (see docs/bot.md): below this share of the question's
# IDF weight found in the best passage, the passage is about something else.
MIN_COVERAGE = 0.4
# Another locality's best passage is an answer too when it is about as good as the best one.
LOCALITY_SCORE_RATIO = 0.6
LOCALITY_COVERAGE_MARGIN = 0.1
SEARCH_K = 40
RERANK_WEIGHT = 1.0  # retrieval score (relative to the top) against coverage when ordering passages
MORE = 3  # "Xem thêm" passages
VAGUE_WORDS = 2  # one Vietnamese word is often two syllables ("kinh phí")
DATE_BONUS = 0.5  # a date question: a good passage stating a date goes before one that states none
_FOLLOW_UP_RE = re.compile(r"^(còn|thế còn|vậy còn|con o|the con|vay con)\b|\b(thì sao|thi sao)\W*$", re.IGNORECASE)
_ACRONYM_RE = re.compile(r"\b[A-ZĐ]{2,}\b")
SUGGESTED = [
    "Mục tiêu đến năm 2030 ở {loc} là gì?",
    "Kinh phí thực hiện kế hoạch ở {loc} lấy từ đâu?",
    "Ở {loc}, các cơ quan phải báo cáo kết quả trước ngày nào?",
]


def render(name: str, **context) -> str:
    return TEMPLATES.get_template(name).render(**context).strip()


def describe(doc: Document) -> str:
    """ "Kế hoạch số 45/KH-UBND ngày 12 tháng 8 năm 2025 của UBND tỉnh Đồng Nai", leaving out blanks."""
    parts = [(doc.doc_type or "văn bản").capitalize()]
    if re.match(r"\d", doc.number):
        parts.append(f"số {doc.number}")
    if re.search(r"\d+ tháng \d+|\d+/\d+/\d+", doc.date):
        parts.append(doc.date)
    if doc.issuer:
        parts.append(f"của {doc.issuer}")
    return " ".join(parts)


class Answerer:
    """The one answer logic shared by every channel."""

    def __init__(self, store: Store, retriever: Retriever, settings: Settings):
        self.store, self.retriever, self.settings = store, retriever, settings
        self.curated = CuratedAnswers(settings.db_path)
        self.memory = SessionMemory()
        self._lock = threading.Lock()
        self._generation = -1
        self._suggestions: tuple[int, list[str]] = (-1, [])

    def _refresh(self) -> None:
        """Documents, passages, vocabulary and locality names follow the store, rebuilt only when it changes."""
        with self._lock:
            generation = self.store.generation()
            if self._generation == generation:
                return
            passages = self.store.passages()
            passages_of: dict[str, list[Passage]] = {}  # doc id → its passages, in order
            for p in passages:
                passages_of.setdefault(p.doc_id, []).append(p)
            self.passages, self.passages_of = passages, passages_of
            self.documents = {d.id: d for d in self.store.documents()}
            self.vocab = Vocabulary(passages)
            self.scoper = Scoper(list(self.documents.values()), "\n".join(p.text for p in passages))
            self._generation = generation  # only once built: a failed rebuild is tried again

    # -- the pipeline
    def ask(self, question: str, session_id: str = "", channel: str = "web") -> Answer:
        self._refresh()
        question = normalize(question).strip()
        curated = self.curated.match(question) if question else None
        if curated:
            return self._curated(curated)
        intent = smalltalk.intent(question) if question else "help"
        if intent:
            return self._smalltalk(intent)
        question = smalltalk.strip_greeting(question)
        topic = self.scoper.off_topic(question)
        if topic:
            return Answer("out_of_scope", render(
                "out_of_scope.j2", topic=topic, localities=self._localities(),
                personal="pháp lý" in topic, contact=self.settings.contact))

        scope = self.scoper.scope(question)
        if reference := facts.asks_what_is(question):
            return self._what_is(*reference)
        if facts.asks_signer(question):
            return self._signers(scope)
        words = [w for w in content_words(question) if w not in scope.naming_words]
        query = question
        previous = self.memory.get(session_id)
        if previous and (_FOLLOW_UP_RE.search(question) or not words):
            if not words:  # "còn Đồng Nai thì sao?": the previous question, in another place
                words = previous.words
                query = f"{previous.question} {question}"
            if scope.doc_ids is None:  # "hạn báo cáo thì sao?": a new question, same place
                scope = Scope(previous.doc_ids, sorted({self.documents[d].locality for d in previous.doc_ids or ()
                                                        if d in self.documents}))
        if not words:
            return self._smalltalk("help")
        self.memory.put(session_id, Turn(query, words, scope.doc_ids))
        return self._answer(query, words, scope)

    def _answer(self, query: str, words: list[str], scope: Scope) -> Answer:
        missing = self._missing(words) + self._missing_acronyms(query)
        words = [self.vocab.alias(w) for w in words]
        dated = asks_date(query)
        if dated:  # "hạn báo cáo": a date answers "hạn"; the passage need not repeat it
            words = [w for w in words if w not in DATE_ASKING] or words
        hits = self._search(query, scope)
        scored = [(h, self.vocab.coverage(words, h.passage.section + "\n" + h.passage.text)) for h in hits]
        good = [(h, c) for h, c in scored if c >= MIN_COVERAGE]
        if good:  # among passages the retriever found, prefer the one that holds more of the question
            top = good[0][0].score or 1.0
            good.sort(key=lambda hc: -(hc[1] + RERANK_WEIGHT * hc[0].score / top
                                       + DATE_BONUS * (dated and holds_date(hc[0].passage.text))))
        if missing or not good:
            return self._not_found(missing, scope)
        prefer = holds_date if dated else None
        best_hit = good[0][0]
        first = self._citation(best_hit, words, prefer=prefer)
        if asks_number(query) and not states_number(first.quote):
            return self._not_found([], scope)  # asked for a number, and the best passage states none
        if dated and not holds_date(best_hit.passage.text, years=True):
            return self._not_found([], scope)  # asked for a date, and the best passage states none

        # "Kế hoạch nào …": every plan that says it, however the retriever ranked it, quoted from its opening
        # (title and "Thực hiện …") when that says it as well as any of its passages.
        by_plan = self._best_per(good, lambda h: h.document.id, score_ratio=0) if asks_which_plan(query) else []
        if len(by_plan) > 1:
            by_plan = [self._opening(h, good) for h in by_plan]
            citations = [self._citation(h, words, prefer=prefer) for h in by_plan]
            text = render("plans.j2", sources=[describe(h.document) for h in by_plan])
            return Answer("answered", text, citations)

        by_place = (self._best_per(good, lambda h: h.document.locality)
                    if scope.doc_ids is None or len(scope.doc_ids) > 1 else [])
        if len(by_place) > 1:
            names = [h.document.locality for h in by_place]
            if len(words) <= VAGUE_WORDS:  # too vague to quote every place: ask which one
                return Answer("clarify", render("clarify.j2", names=names), [],
                              [f"Ở {name}" for name in names])
            citations = [first] + [self._citation(h, words, prefer=prefer) for h in by_place[1:]]
            text = render("localities.j2", names=names, example=f"{query.rstrip('?')} ở {names[0]}?")
            return Answer("answered", text, citations, [f"Ở {name}" for name in names])

        more = [self._citation(h, words, role="more") for h, _ in good[1:] if h.passage.id != best_hit.passage.id][:MORE]
        text = render("answered.j2", source=describe(best_hit.document))
        return Answer("answered", text, [first, *more])

    def _search(self, query: str, scope: Scope) -> list[Hit]:
        filters = Filters(locality=scope.localities[0]) if len(scope.localities) == 1 else None
        hits = self.retriever.search(query, k=SEARCH_K, filters=filters)
        return [h for h in hits if scope.doc_ids is None or h.document.id in scope.doc_ids]

    def _best_per(self, good: list[tuple[Hit, float]], key: Callable[[Hit], str],
                  score_ratio: float = LOCALITY_SCORE_RATIO) -> list[Hit]:
        """The best passage of each locality (or plan: `key`) whose answer scores close to the overall best."""
        top, top_coverage = good[0][0].score, good[0][1]
        seen: dict[str, Hit] = {}
        for h, coverage in good:
            if h.score >= score_ratio * top and coverage >= top_coverage - LOCALITY_COVERAGE_MARGIN:
                seen.setdefault(key(h), h)
        return list(seen.values())

    @staticmethod
    def _opening(hit: Hit, good: list[tuple[Hit, float]]) -> Hit:
        """The plan's first passage instead of `hit` when it covers the question about as well."""
        coverage = {h.passage.id: c for h, c in good}
        return next((h for h, c in good if h.document.id == hit.document.id and h.passage.ordinal == 0
                     and c >= coverage[hit.passage.id] - LOCALITY_COVERAGE_MARGIN), hit)

    def _missing(self, words: list[str]) -> list[str]:
        """Question words the corpus never uses and that are no typo of a word it does: a topic it lacks."""
        return [w for w in words if len(w) >= 3 and not w.isdigit() and not self.vocab.known(w)
                and not self.vocab.near(w)]

    def _missing_acronyms(self, question: str) -> list[str]:
        """An acronym (GDP, ODA) is no typo: if the corpus never uses it, neither can the answer."""
        return [a for a in dict.fromkeys(_ACRONYM_RE.findall(question))
                if not self.vocab.known(fold(a)) and fold(a) not in self.vocab.initials]

    # -- answers the documents give about themselves
    def _what_is(self, kind: str, number: str) -> Answer:
        """A plan of ours by its number ("kế hoạch 45") gets its trích yếu; a resolution the plans cite
        gets the name they give it."""
        for doc in self.documents.values():
            if not (doc.number.startswith(f"{number}/") and doc.doc_type.lower() == kind.lower() and doc.title):
                continue
            opening = next(iter(self.passages_of.get(doc.id, [])), None)  # a document may have none
            if opening and collapse_ws(doc.title) in collapse_ws(opening.text):
                text = render("what_is.j2", title=True, source=describe(doc), reference="")
                return Answer("answered", text, [self._citation(Hit(opening, doc, 1.0), [], quote=doc.title)])
        found = facts.naming(kind, number, self.passages)
        if found is None:
            return self._not_found([], Scope(None, []))
        passage, quote = found
        text = render("what_is.j2", title=False, source="", reference=f"{kind} {number}")
        return Answer("answered", text, [self._citation(Hit(passage, self.documents[passage.doc_id], 1.0), [], quote=quote)])

    def _signers(self, scope: Scope) -> Answer:
        docs = [d for d in self.documents.values() if scope.doc_ids is None or d.id in scope.doc_ids]
        signed = [(d, found) for d in sorted(docs, key=lambda d: d.id)
                  if (found := facts.signature(d, self.passages_of.get(d.id, [])))]
        if not signed:
            return self._not_found([], scope)
        text = render("signers.j2", signers=[(describe(d), d.signer) for d, _ in signed])
        citations = [self._citation(Hit(p, d, 1.0), [], quote=quote) for d, (p, quote) in signed]
        return Answer("answered", text, citations)

    # -- answers that need no search
    def _not_found(self, missing: list[str], scope: Scope) -> Answer:
        scoped = ", ".join(scope.localities)
        text = render("not_found.j2", missing=missing, scoped=scoped, contact=self.settings.contact)
        return Answer("not_found", text, [], ["Gợi ý câu hỏi", "Danh sách văn bản"])

    def _smalltalk(self, intent: str) -> Answer:
        suggestions = self.suggestions()
        docs = sorted(self.documents.values(), key=lambda d: (d.locality, d.id))
        context = {
            "example": next(iter(suggestions), ""), "contact": self.settings.contact, "count": len(docs),
            "docs": [describe(d) + (f": {d.title}" if d.title else "") for d in docs],
            "suggestions": suggestions,
        }
        return Answer("smalltalk", render(f"{intent}.j2", **context), [], suggestions[:3])

    def _curated(self, c: CuratedAnswer) -> Answer:
        citation = self._curated_citation(c)
        return Answer("answered", render("curated.j2", answer=c.answer), [citation] if citation else [])

    def _curated_citation(self, c: CuratedAnswer) -> Citation | None:
        doc = self.documents.get(c.doc_id)
        if doc is None:
            return Citation("", c.source, "", "", "", "", None, c.quote, "") if c.source or c.quote else None
        wanted = collapse_ws(c.quote)
        passage = next((p for p in self.passages_of.get(doc.id, []) if wanted and wanted in collapse_ws(p.text)), None)
        hit = Hit(passage or Passage(f"{doc.id}:0", doc.id, 0, "", c.quote), doc, 1.0)
        return self._citation(hit, [], quote=c.quote)

    # -- helpers
    def _citation(self, hit: Hit, words: list[str], role: str = "main", quote: str | None = None,
                  prefer: Callable[[str], bool] | None = None) -> Citation:
        doc, p = hit.document, hit.passage
        quote = quote if quote is not None else excerpt(p.text, words, self.vocab, prefer=prefer)
        start = p.text.find(quote.split(" … ")[0][:40])
        return Citation(
            doc_id=doc.id, title=doc.title or describe(doc), number=doc.number, date=doc.date,
            issuer=doc.issuer, section=section_at(p.section, p.text, start) if start >= 0 else p.section,
            page=p.page, quote=quote,
            url=f"{self.settings.public_url}/documents/{doc.id}#p-{p.ordinal}",
            highlights=highlights(quote, words), locality=doc.locality, role=role,
        )

    def _localities(self) -> list[str]:
        return sorted({d.locality for d in self.documents.values() if d.locality})

    def suggestions(self) -> list[str]:
        """Example questions, each in a place whose plan answers it: never suggest a dead end.
        Each template goes to a place not used yet where one answers it."""
        self._refresh()
        if self._suggestions[0] != self._generation:
            found, used = [], set()
            for template in SUGGESTED:
                places = sorted(self._localities(), key=lambda place: place in used)
                question = next((q for q in (template.format(loc=p) for p in places)
                                 if self.ask(q).status == "answered"), None)
                if question:
                    found.append(question)
                    used.update(p for p in places if p in question)
            self._suggestions = (self._generation, found)
        return self._suggestions[1]

