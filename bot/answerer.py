"""Question → Answer, composed from templates and quoted answer units only (no generation).

One pipeline of typed stages: understand (bot/understand.py) → retrieve (retrieval/) → evidence
(bot/units.py, bot/evidence.py) → decide (bot/decide.py, a fitted model) → render (templates).
"""
from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot import frames, smalltalk
from bot.answers import AnswerCache
from bot.corpus import Corpus
from bot.curated import CuratedAnswer, CuratedAnswers
from bot.decide import MODEL_FILE, Decision, Model, decide, load_model
from bot.evidence import Evidence, embedded_text
from bot.quote import highlights
from bot.scope import LAW_NAMED_RE, OUTSIDE
from bot.session import SessionMemory
from bot.dialogue import Turn, read_turn, resolve
from bot.understand import ArticleRef, Query, article_reference, understand
from bot.units import PREAMBLE, PURPOSE, TITLE, Unit, article_label, cited_units
from hoidap.background import BackgroundRefresh
from hoidap.config import Settings
from hoidap.models import Answer, Citation, Document, Hit, Passage
from hoidap.store import BaseStore
from hoidap.text import collapse_ws, folded_text, normalize
from ingest.chunking import FRONT, article_anchor, legal_reference, section_at
from ingest.metadata import LAW_TYPES, legal_name, short_title
from retrieval import Filters, Retriever

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # plain text; each renderer escapes for its channel
)
TEMPLATES.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]  # "kế hoạch số 45 …" → "Kế hoạch …"
# Asked for a verdict ("có … không", "…, đúng hay sai?"): the answer says what the document states, never a verdict.
VERDICT_FRAMES = {frames.YES_NO, frames.TRUE_FALSE}
SEARCH_K = 20
SUGGESTED = [
    "Mục tiêu đến năm 2030 ở {loc} là gì?",
    "Kinh phí thực hiện kế hoạch ở {loc} lấy từ đâu?",
    "Ở {loc}, các cơ quan phải báo cáo kết quả trước ngày nào?",
]
NATIONAL_PORTAL = "Cổng Dịch vụ công quốc gia (https://dichvucong.gov.vn)"


def render(name: str, **context) -> str:
    return TEMPLATES.get_template(name).render(**context).strip()


def describe(doc: Document) -> str:
    """ "Kế hoạch số 45/KH-UBND ngày 12 tháng 8 năm 2025 của UBND tỉnh Đồng Nai", leaving out blanks; with no number,
    its short title says which one it is ("Kế hoạch của Sở Tư pháp tỉnh An Giang (triển khai thực hiện Nghị quyết số
    71/NQ-CP)")."""
    parts = [(doc.doc_type or "văn bản").capitalize()]
    numbered = doc.number[:1].isdigit()
    if numbered:
        parts.append(f"số {doc.number}")
    if re.search(r"ngày \d|\d+/\d+/\d+", doc.date):  # not a draft's blank "ngày tháng 3 năm 2026"
        parts.append(doc.date)
    if doc.issuer:
        parts.append(f"của {doc.issuer}")
    if not numbered and (short := doc.short_title or short_title(doc)) and doc.doc_type not in LAW_TYPES:
        parts.append(f"({short[:1].lower()}{short[1:]})")
    return " ".join(parts)


def cited_name(doc: Document) -> str:
    """ "Bộ luật Lao động số 45/2019/QH14": a document as a legal citation names it."""
    return legal_name(doc) + (f" số {doc.number}" if doc.number[:1].isdigit() else "")


_ENUMERATOR_RE = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*")


def topic(unit: Unit) -> str:
    """What the quote is about, from its labels or its last two headings: "Mục tiêu cụ thể › Năm 2030"."""
    if unit.part:
        return unit.part
    # A label cut short ("1. Kinh phí thực hiện Kế hoạch được bảo đảm …") is a sentence, not a heading.
    labels = [_ENUMERATOR_RE.sub("", h) for h in unit.heading.split(" › ")[-2:] if not h.endswith("…")]
    labels = [h.capitalize() if h.isupper() else h for h in labels if h and h != FRONT]
    return " › ".join(labels)


def _best(examined: Examined) -> float:
    return max((e.probability for e in examined.evidence), default=0.0)


def _goes_on(answer: Answer, turn: Turn | None, context: Turn | None) -> bool:
    """Whether the next turn goes on from this one: an answer does; greetings and declines keep the thread, except
    that a question declined with a place named and no thread yet starts one there ("thế còn … ở đó?")."""
    if turn is None:
        return False
    return (answer.status in ("answered", "related")
            or answer.status == "not_found" and context is None and turn.query.scope.doc_ids is not None)


@dataclass
class Examined:
    """A question up to the decision: either answered by a rule (`early`) or a query with its evidence."""

    query: Query | None
    evidence: list[Evidence]
    early: Answer | None = None
    in_scope: float = 0.0  # P(the documents answer it), from its evidence (decide.Model.in_scope)


class Answerer:
    """The one answer logic shared by every channel."""

    def __init__(self, store: BaseStore, retriever: Retriever, settings: Settings, model: Model | None = None,
                 word_pairs: list[tuple[str, str]] | None = None, nearest_words: bool = False):
        """`word_pairs`: everyday ↔ corpus phrases (None: bot/data/everyday_words.tsv); `nearest_words`: also map
        an unknown word to its nearest corpus term by embedding (off: measured no gain, docs/bot.md)."""
        self.store, self.retriever, self.settings = store, retriever, settings
        self.word_pairs, self.nearest_words = word_pairs, nearest_words
        self.curated = CuratedAnswers(store)
        self.memory = SessionMemory()
        self.answers: AnswerCache | None = None  # answers to repeated questions (hoidap.wiring: HOIDAP_ANSWER_CACHE)
        self.model = model  # loaded on first use, so `hoidap ingest` needs no fitted model
        self._corpus: Corpus | None = None
        self._build_lock = threading.Lock()
        self._catching_up = BackgroundRefresh(self.refresh, "hoidap-corpus")
        self._suggestions: tuple[int, list[str]] = (-1, [])

    # -- keeping in step with the store
    @property
    def corpus(self) -> Corpus:
        """The store as of its last generation built: a newer one is built in the background meanwhile."""
        corpus = self._corpus
        if corpus is None:
            return self._build()
        if corpus.generation != self.store.generation():
            self.catch_up()
        return corpus

    def _build(self) -> Corpus:
        with self._build_lock:
            if self._corpus is None or self._corpus.generation != self.store.generation():
                dense = self.retriever.embedder is not None
                # one reference swap: questions in flight keep the corpus they started with
                self._corpus = Corpus.build(self.store, self.word_pairs, self._embed_units if dense else None,
                                            self.retriever.query_vector if dense else None,
                                            self.nearest_words and dense)
            return self._corpus

    def refresh(self) -> None:
        """Follow the store now, if this process has answered anything (one that only ingests never builds)."""
        if self._corpus is not None:
            self._build()

    def catch_up(self) -> None:
        """Refresh in the background (once at a time); questions go on with the last generation."""
        self._catching_up.start()

    @property
    def documents(self) -> dict[str, Document]:
        return self.corpus.documents

    def warm(self) -> None:
        """Embed every answer unit now (cached by text hash), so the first visitors do not wait for it."""
        if self.retriever.embedder is not None:
            self._embed_units([embedded_text(u) for u in self.corpus.all_units()])

    def fitted_model(self) -> Model:
        """The decision model: HOIDAP_MODEL_FILE's or the shipped one, read on first use (ingesting needs none)."""
        if self.model is None:
            self.model = load_model(dense=self.retriever.embedder is not None,
                                    path=self.settings.model_file or MODEL_FILE)
        return self.model

    def _embed_units(self, texts: list[str]) -> np.ndarray:
        return self.retriever.cache.embed(self.retriever.embedder, texts)  # cached by text hash

    # -- the pipeline
    def ask(self, question: str, session_id: str = "", channel: str = "web") -> Answer:
        context = self.memory.get(session_id)

        def shared(turn: Turn | None) -> bool:  # the same answer as for a question asked on its own
            if context is None or turn is None:
                return True
            reading = read_turn(turn.query.text, turn.query, context)
            return reading == "new_topic" or reading == "standalone" and turn.query.scope.doc_ids is not None

        key = None
        if self.answers is not None:
            key = self.answers.key(question, self.retriever.generation, self.curated.version())
            if (cached := self.answers.get(key, shared)) is not None:
                answer, turn = cached
                if _goes_on(answer, turn, context):
                    self.memory.put(session_id, turn)
                return answer
        examined = self.examine(question, session_id)
        query, answer = examined.query, examined.early
        quoted: list[tuple[str, int, int]] = []
        said = ""
        if answer is None:
            decision = self.decide(examined)
            answer = self.respond(query, decision)
            # only a sure answer anchors a drill-down: the nearest units shown when unsure are not what it is about
            sure = decision.main if decision.status == "answer" else []
            quoted, said = [e.unit.key for e in sure], "\n".join(e.unit.text for e in sure)
        turn = Turn(query, quoted, said) if query is not None else None  # None: an answer no turn goes on from
        if _goes_on(answer, turn, context):
            self.memory.put(session_id, turn)
        if key is not None and (query is None or not query.follow_up):
            self.answers.put(key, answer, turn)
        return answer

    def examine(self, question: str, session_id: str = "") -> Examined:
        """Every stage before the decision: rules that answer at once, else understand → retrieve → evidence."""
        corpus = self.corpus
        question = normalize(question).strip()
        curated = self.curated.match(question) if question else None
        if curated:
            return Examined(None, [], self._curated(curated))
        intent = smalltalk.intent(question) if question else "help"
        if intent:
            return Examined(None, [], self._smalltalk(intent))
        framed = frames.read(question)
        core = framed.core
        scope = corpus.scoper.scope(question)  # the whole question: a persona's place, a document cited
        if framed.named and corpus.scoper.scope(core).doc_ids != scope.doc_ids:
            # the document a preface names ("Theo Luật An ninh mạng, …") is searched with the core unless the core
            # names it itself: then the preface adds only naming words the bare question does not search
            core = f"{framed.named}, {core}"
        if reason := corpus.scoper.addressed_to_bot(question, core):  # only what is asked of the bot itself
            return Examined(None, [], self._out_of_scope(reason))
        if article := article_reference(core):  # an article of a law we hold is ours, whatever else it says
            if laws := corpus.scoper.named_documents(article.before, article.after):
                return Examined(None, [], self._article(corpus, article, laws))
            if LAW_NAMED_RE.match(article.after):  # "dieu 5 luat dat dai": a law we do not hold, typed bare
                return Examined(None, [], self._out_of_scope("law"))
        words = folded_text(core)
        unknown = [w for w in words.split() if not corpus.vocab.known(w)]
        mapped = corpus.word_map.map(core, unknown)
        mapped.update({w: [a] for w in unknown if (a := corpus.vocab.alias(w)) != w})  # "bot" of "chatbot"
        query = understand(core, scope, mapped, self.retriever.reading(core), framed.frames,
                           corpus.scoper.outside(question))
        context = self.memory.get(session_id)
        query = resolve(query, read_turn(core, query, context), context)
        if not query.words and not query.mapped and not query.follow_up:
            # Nothing asked about but the documents themselves ("Kế hoạch 45 của Đồng Nai là gì?", "An Giang có những
            # kế hoạch gì?", a place alone): what the bot holds there, each quoted by its title and purpose. Something
            # asked that no word names ("Hà Tĩnh có bao nhiêu xã?"): not found, said so. Nothing at all: help.
            if query.scope.doc_ids and (query.kinds & {"overview", "document", "basis"} or query.which_plan
                                        or frames.SUMMARY in query.frames or not query.kinds):
                return Examined(query, [], self._profiles(corpus, query))
            asked = query.outside or query.scope.doc_ids  # a bare "ai?" names nothing: help says how to ask
            return Examined(query, [], self._decline(query) if asked else self._smalltalk("help"))
        examined = self._weigh(query, corpus.scorer.score(query, self._search(query)))
        if query.anchor:  # a drill-down: the last answer's own task block answers it when it can, else wins a tie
            anchored = self._weigh(query, self._anchored(corpus, query))
            threshold = self.fitted_model().params.answer_threshold
            if anchored.evidence and _best(anchored) >= min(threshold, _best(examined)):
                return anchored
            if anchored.evidence and _best(examined) < threshold:
                # Nothing anywhere answers surely: what the last answer quoted does ("qua những hình thức nào?")
                for e in anchored.evidence:
                    if e.unit.key in query.anchor:
                        e.probability = max(e.probability, threshold)
                return anchored
        return examined

    def _weigh(self, query: Query, evidence: list[Evidence]) -> Examined:
        """The decision model's P for each unit and for the question being ours."""
        if not evidence:
            return Examined(query, [])
        model, x = self.fitted_model(), np.stack([e.features for e in evidence])
        probabilities = model.probabilities(x, query.kinds)
        for e, p in zip(evidence, probabilities):
            e.probability = float(p)
        return Examined(query, evidence, in_scope=model.in_scope(x, probabilities))

    @staticmethod
    def _anchored(corpus: Corpus, query: Query) -> list[Evidence]:
        """The units under the heading of those the last answer quoted: its passages, each with the next one when
        it goes on under the same heading (a task's "Thời gian" line may have been cut off into it)."""
        hits: dict[str, Hit] = {}
        for passage_id in dict.fromkeys(key[0] for key in query.anchor):
            doc_id, _, ordinal = passage_id.rpartition(":")
            own = corpus.passages_of.get(doc_id, [])
            block = own[int(ordinal): int(ordinal) + 2] if ordinal.isdigit() else []
            for p in block[:1] + [p for p in block[1:] if p.section == block[0].section]:
                hits.setdefault(p.id, Hit(p, corpus.documents[doc_id], 1.0, 1.0, 1.0))
        evidence = corpus.scorer.score(query, list(hits.values()))
        quoted = [e for e in evidence if e.unit.key in query.anchor]
        headings = {e.unit.heading for e in quoted}
        return [e for e in evidence if any(e.unit.heading == h or e.unit.heading.startswith(f"{h} › ")
                                           for h in headings)] or evidence

    def decide(self, examined: Examined) -> Decision:
        return decide(examined.query, examined.evidence, self.fitted_model().params, examined.in_scope)

    def _search(self, query: Query) -> list[Hit]:
        scope = query.scope
        if compared := scope.compared:  # side by side: each place (or plan) brings its own passages, taken in turn
            k = SEARCH_K // len(compared) + 1
            by_place = compared == scope.order
            found = [self.retriever.search(query.search, k=k, filters=Filters(locality=group) if by_place
                                           else Filters(doc_id=group)) for group in compared]
            hits = [h for turn in itertools.zip_longest(*found) for h in turn if h is not None]
        else:
            filters = Filters(locality=scope.localities[0]) if len(scope.localities) == 1 else None
            hits = self.retriever.search(query.search, k=SEARCH_K, filters=filters)
        return [h for h in hits if scope.doc_ids is None or h.document.id in scope.doc_ids]

    # -- render
    def respond(self, query: Query, decision: Decision) -> Answer:
        answer = self._respond(query, decision)
        if query.previous and answer.status in ("answered", "related"):  # say how the turn was read, to be corrected
            place = ", ".join(query.scope.localities) if query.scope.doc_ids is not None else ""
            answer.text = f"{render('reading.j2', previous=query.previous, place=place)}\n{answer.text}"
            answer.suggestions = [f"Câu hỏi mới: {query.text}", *answer.suggestions][:4]
        return answer

    def _respond(self, query: Query, decision: Decision) -> Answer:
        if decision.status == "decline":
            return self._decline(query)
        if decision.status == "clarify":
            return Answer("clarify", render("clarify.j2", names=decision.places), [],
                          [f"Ở {name}" for name in decision.places])
        words = self._highlight_words(query)
        if query.scope.compared and decision.status == "answer":
            return self._side_by_side(query, decision, words)
        if decision.status == "related":  # said plainly, logged for staff like a decline
            places = list(dict.fromkeys(e.unit.document.locality for e in decision.main if e.unit.document.locality))
            text = render("related.j2", places=places, contact=self._contact())
            return Answer("related", text, [self._citation(e.unit, words) for e in decision.main],
                          ["Gợi ý câu hỏi", "Danh sách văn bản"])
        main = [self._citation(e.unit, words) for e in decision.main]
        more = [self._citation(e.unit, words, role="more") for e in decision.more]
        if len(main) == 1:
            unit = decision.main[0].unit
            text = render("answered.j2", topic=topic(unit), place=unit.document.locality, source=describe(unit.document),
                          verdict=bool(query.frames & VERDICT_FRAMES))
            if unit.kind == "block" and (rest := self._continued(unit)):  # a list cut where its passage ends
                main.append(self._citation(rest, words))
                more = [c for c, e in zip(more, decision.more) if e.unit.passage.id != rest.passage.id]
            # No place named: the visitor may live elsewhere, so offer the same question in the other places.
            others = [] if query.scope.doc_ids else [p for p in self._localities() if p != unit.document.locality]
            return Answer("answered", text, [*main, *more], [f"Ở {p}" for p in others[:3]])
        if query.which_plan:
            text = render("plans.j2", sources=[describe(e.unit.document) for e in decision.main])
            return Answer("answered", text, [*main, *more])
        names = [e.unit.document.locality for e in decision.main]
        example = f"{query.text.rstrip('?')} ở {names[0]}?"
        return Answer("answered", render("localities.j2", names=names, example=example), [*main, *more],
                      [f"Ở {name}" for name in names])

    def _continued(self, block: Unit) -> Unit | None:
        """What of a block goes on in the next passage: "4. Năm 2030 a) b)" at the end of one passage, "c)" at the start
        of the next, under the same heading. The whole enumeration is quoted, in two quotes."""
        if block.passage.text[block.end:].strip():
            return None
        own = self.corpus.passages_of.get(block.document.id, [])
        after = next((p for p in own if p.ordinal == block.passage.ordinal + 1), None)
        heading = section_at(block.passage.section, block.passage.text, block.start)
        if after is None or not heading or not after.section.startswith(heading):
            return None
        end, offset = 0, 0
        for paragraph in after.text.split("\n\n"):
            if not section_at(after.section, after.text, offset).startswith(heading):
                break
            end = offset + len(paragraph)
            offset += len(paragraph) + 2
        return Unit(after, block.document, 0, end, "block", after.section) if end else None

    def _profiles(self, corpus: Corpus, query: Query) -> Answer:
        """The documents a question names, each by its title (trích yếu), what it implements and its purpose, quoted
        (bot/units.py); what it implements first when that is what is asked."""
        docs = sorted((corpus.documents[i] for i in query.scope.doc_ids if i in corpus.documents),
                      key=lambda d: (d.locality, d.date_iso, d.id))
        basis_asked = "basis" in query.kinds
        citations = []
        for doc in docs:
            parts = corpus.parts_of(doc)
            titles = [u for u in parts if u.part == TITLE and not u.text.isupper()]  # not the type line "KẾ HOẠCH"
            # a trích yếu printed over several lines is one quote, from its first line to its last
            title = replace(titles[0], end=titles[-1].end) if titles and len({u.passage.id for u in titles}) == 1 else None
            preamble = [u for u in parts if u.part == PREAMBLE]
            purpose = next((u for u in parts if u.part == PURPOSE and u.kind == "block"), None)
            basis = preamble[-1] if preamble else None
            shown = (basis, title, purpose) if basis_asked else (title, basis, purpose)  # what is asked first
            citations += [self._citation(u, []) for u in shown if u]
        text = render("profiles.j2", sources=[describe(d) for d in docs], basis=basis_asked)
        return Answer("answered", text, citations, [f"Mục tiêu của {describe(d)} là gì?" for d in docs][:3])

    def _side_by_side(self, query: Query, decision: Decision, words: list[str]) -> Answer:
        """A comparison: one quote per place (or plan) named, in that order, and those with none said so."""
        by_place = query.scope.compared == query.scope.order

        def name(group: str) -> str:
            return group if by_place else describe(self.documents[group])

        named = [name(e.unit.document.locality if by_place else e.unit.document.id) for e in decision.main]
        text = render("compare.j2", names=named, missing=[name(g) for g in decision.missing])
        main = [self._citation(e.unit, words) for e in decision.main]
        return Answer("answered", text, [*main, *(self._citation(e.unit, words, role="more") for e in decision.more)])

    def _article(self, corpus: Corpus, article: ArticleRef, laws: list[Document]) -> Answer:
        """ "Điều 5 Luật An ninh mạng quy định gì?": the article (or its clause, point) itself, quoted whole; when
        the law named has no such article, say so."""
        reference = article.reference
        for doc in laws:
            units = cited_units(corpus.passages_of.get(doc.id, []), doc, reference)
            if units:
                citations = [self._citation(u, []) for u in units]  # the whole quote is what was asked
                return Answer("answered", render("article.j2", section=citations[0].section), citations)
        doc, whole = laws[0], f"Điều {article.number}"
        articles = {label for p in corpus.passages_of.get(doc.id, []) if (label := article_label(p))}
        within, missing = cited_name(doc), reference
        if whole in articles:  # the article is there, its clause or point is not
            within, missing = f"{whole} {within}", reference.removeprefix(whole).strip()
        text = render("no_article.j2", within=within, missing=missing, articles=len(articles), contact=self._contact())
        return Answer("not_found", text, [], ["Danh sách văn bản"])

    @staticmethod
    def _highlight_words(query: Query) -> list[str]:
        mapped = [w for formal in query.mapped.values() for phrase in formal for w in folded_text(phrase).split()]
        return list(dict.fromkeys([*query.words, *mapped]))

    def _citation(self, unit: Unit, words: list[str], role: str = "main") -> Citation:
        doc, p = unit.document, unit.passage
        section = " › ".join(s for s in (unit.heading, unit.part) if s)
        if reference := legal_reference(unit.heading):  # "Điều 129 khoản 1 điểm a, Bộ luật Lao động số 45/2019/QH14"
            section = f"{reference}, {cited_name(doc)}"
        return Citation(
            doc_id=doc.id, title=doc.title or describe(doc), number=doc.number, date=doc.date,
            issuer=doc.issuer, section=section, page=p.page, quote=unit.text,
            url=self._url(unit),
            highlights=highlights(unit.text, words, self.retriever.together), locality=doc.locality, role=role, short_title=doc.short_title,
        )

    def _url(self, unit: Unit) -> str:
        """The document page at the cited article ("?p=4#dieu-129": the page marks the quote in passage 4), else
        at the cited passage ("#p-4")."""
        base = f"{self.settings.public_url}/documents/{unit.document.id}"
        anchor = article_anchor(unit.heading)
        return f"{base}?p={unit.passage.ordinal}#{anchor}" if anchor else f"{base}#p-{unit.passage.ordinal}"

    # -- answers that need no search
    def _decline(self, query: Query) -> Answer:
        """Out of scope with its reason when a signal says so (Scoper.outside), else not found."""
        if signal := next((signal for signal in OUTSIDE if signal in query.outside), None):
            return self._out_of_scope("place" if signal == "other_place" else signal, query.outside[signal])
        return self._not_found(query)

    def _not_found(self, query: Query) -> Answer:
        scoped = ", ".join(query.scope.localities)
        text = render("not_found.j2", scoped=scoped, contact=self._contact())
        return Answer("not_found", text, [], ["Gợi ý câu hỏi", "Danh sách văn bản"])

    def _out_of_scope(self, reason: str, detail: str = "") -> Answer:
        text = render("out_of_scope.j2", reason=reason, detail=detail, held=self.held(), contact=self._contact(),
                      portal=NATIONAL_PORTAL)
        return Answer("out_of_scope", text, [], ["Gợi ý câu hỏi", "Danh sách văn bản"])

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
        passage = next((p for p in self.corpus.passages_of.get(doc.id, []) if wanted and wanted in collapse_ws(p.text)), None)
        passage = passage or Passage(f"{doc.id}:0", doc.id, 0, "", c.quote)
        start = max(passage.text.find(c.quote), 0)
        unit = Unit(passage, doc, start, start + len(c.quote), "paragraph", passage.section)
        citation = self._citation(unit, [])
        citation.quote = c.quote
        return citation

    def _contact(self) -> str:
        """ "Văn phòng Sở (giờ hành chính), điện thoại …, email …": every channel gets the ways to reach a person."""
        s = self.settings
        ways = [f"điện thoại {s.contact_phone}" if s.contact_phone else "", f"email {s.contact_email}" if s.contact_email else "",
                s.contact_url]
        return ", ".join([s.contact, *(w for w in ways if w)])

    def held(self) -> str:
        """What the documents held are, as a reply names them: "Luật An ninh mạng số 24/2018/QH14; các kế hoạch của
        An Giang, Đồng Nai": never a placeholder left blank, never "kế hoạch" for a corpus of laws."""
        docs = sorted(self.documents.values(), key=lambda d: (d.locality, d.id))
        named = [d for d in docs if d.doc_type in LAW_TYPES and d.title]
        others = [d for d in docs if d not in named]
        parts = list(dict.fromkeys(cited_name(d) for d in named))
        if others:
            kinds = " và ".join(dict.fromkeys((d.doc_type or "văn bản").lower() for d in others))
            owners = list(dict.fromkeys(d.locality or d.issuer for d in others if d.locality or d.issuer))
            parts.append(f"các {kinds}" + (f" của {', '.join(owners)}" if owners else ""))
        return "; ".join(parts) or "chưa có văn bản nào được nạp"

    def _localities(self) -> list[str]:
        return sorted({d.locality for d in self.documents.values() if d.locality})

    def suggestions(self) -> list[str]:
        """Example questions, each in a place whose plan answers it: never suggest a dead end.
        Each template goes to a place not used yet where one answers it."""
        generation = self.corpus.generation
        if self._suggestions[0] != generation:
            found, used = [], set()
            for template in SUGGESTED:
                places = sorted(self._localities(), key=lambda place: place in used)
                question = next((q for q in (template.format(loc=p) for p in places)
                                 if self.ask(q).status == "answered"), None)
                if question:
                    found.append(question)
                    used.update(p for p in places if p in question)
            self._suggestions = (generation, found)
        return self._suggestions[1]
