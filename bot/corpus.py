"""What the answerer knows of the store for one generation: documents, passages by document, vocabulary, places,
everyday-word map, answer units and the evidence scorer over them. Built off to the side, then swapped in whole
(bot.answerer), so a question never waits for a rebuild nor sees half of one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bot.evidence import EvidenceScorer
from bot.mapping import WordMap
from bot.scope import Scoper
from bot.units import Unit, split_units
from bot.words import Vocabulary
from hoidap.models import Document, Hit, Passage
from hoidap.store import BaseStore


@dataclass
class Corpus:
    generation: int
    documents: dict[str, Document]
    passages_of: dict[str, list[Passage]]
    vocab: Vocabulary
    scoper: Scoper
    word_map: WordMap
    scorer: EvidenceScorer = field(init=False)
    units: dict[str, list[Unit]] = field(default_factory=dict)  # passage id → its answer units, split when first hit

    @classmethod
    def build(cls, store: BaseStore, word_pairs: list[tuple[str, str]] | None,
              embed_units: Callable[[list[str]], np.ndarray] | None, embed_query: Callable[[str], np.ndarray] | None,
              nearest_words: bool) -> Corpus:
        """`embed_units`, `embed_query`: the dense side of the evidence (None: none); `nearest_words`: also map an
        unknown word to its nearest corpus term by embedding."""
        generation = store.generation()  # read first: data newer than it only costs another rebuild
        passages = store.passages()
        documents = {d.id: d for d in store.documents()}
        text = "\n".join(p.text for p in passages)
        passages_of: dict[str, list[Passage]] = {}
        for p in passages:
            passages_of.setdefault(p.doc_id, []).append(p)
        vocab = Vocabulary(passages)
        heads = {doc_id: own[0].text for doc_id, own in passages_of.items()}
        corpus = cls(generation, documents, passages_of, vocab, Scoper(list(documents.values()), text, heads=heads),
                     WordMap(text, word_pairs, embed=embed_units if nearest_words else None))
        corpus.scorer = EvidenceScorer(vocab, corpus.units_of, corpus.parts_of, embed_units, embed_query)
        return corpus

    def units_of(self, hit: Hit) -> list[Unit]:
        units = self.units.get(hit.passage.id)
        if units is None:
            units = self.units[hit.passage.id] = split_units(hit.passage, hit.document)
        return units

    def parts_of(self, doc: Document) -> list[Unit]:
        """The units that state a document's own facts and profile: number, date, title, preamble, purpose,
        targets, subjects, recipients, signer (bot/units.py)."""
        return [u for p in self.passages_of.get(doc.id, []) for u in self.units_of(Hit(p, doc, 0.0)) if u.part]

    def all_units(self) -> list[Unit]:
        return [u for ps in self.passages_of.values() for p in ps if p.doc_id in self.documents
                for u in self.units_of(Hit(p, self.documents[p.doc_id], 0.0))]
