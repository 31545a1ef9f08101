"""The one visible pipeline: settings → store → retriever → answerer."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from bot import Answerer
from hoidap.config import Settings, get_settings
from hoidap.shared import LocalState, RedisState, open_shared
from hoidap.store import BaseStore, open_store
from ingest.pipeline import IngestReport, ingest_paths
from retrieval import Retriever
from retrieval.snapshot import build_lock


@dataclass
class Hoidap:
    settings: Settings
    store: BaseStore
    retriever: Retriever
    answerer: Answerer
    shared: LocalState | RedisState | None = field(default=None)  # None: LocalState over the store

    def __post_init__(self):
        if self.shared is None:
            self.shared = LocalState(self.store)

    def ingest(self, paths, **kwargs) -> IngestReport:
        report = ingest_paths(self.store, self.settings.files_dir, paths, **kwargs)
        self.publish()  # answer units of new documents are embedded on their first question, then kept
        return report

    def publish(self) -> None:
        """After a change to the store: build and publish its index generation (HOIDAP_INDEX_DIR), then tell every
        replica, which loads it and swaps (`follow`) instead of building it again."""
        self.retriever.refresh()
        self.answerer.refresh()  # a serving process answers from the new generation right away
        self.shared.announce(self.retriever.generation)

    def follow(self) -> Callable[[], None] | None:
        """Swap to each generation another process announces (a serving process, while it serves); returns how
        to stop. Without announcements (SQLite), a search notices the new generation itself."""
        def swap(generation: int) -> None:
            self.retriever.catch_up()
            self.answerer.catch_up()

        return self.shared.listen(swap)


def open_hoidap(settings: Settings | None = None, seed: bool = True) -> Hoidap:
    """Open the data directory; on first start, index HOIDAP_CORPUS_DIR (the sample plans on the embedded default)."""
    settings = settings or get_settings()
    store = open_store(settings)  # SQLite file, or PostgreSQL when HOIDAP_DATABASE_URL is set
    seeding = seed and settings.corpus_dir is not None and settings.corpus_dir.is_dir() and not store.documents()
    # Replicas starting together on an empty store: the first seeds it and publishes the index; the others wait
    # here, then find both done (one generation, not one each).
    with build_lock(settings.index_dir, "seed.lock") if seeding else nullcontext():
        seeding = seeding and not store.documents()
        if seeding:
            ingest_paths(store, settings.files_dir, [settings.corpus_dir])
        retriever = Retriever(store, settings)
    answerer = Answerer(store, retriever, settings)
    shared = open_shared(settings, store)  # in-process, or Redis when HOIDAP_REDIS_URL is set
    answerer.memory = shared.memory()
    if settings.answer_cache > 0:
        answerer.answers = shared.answers(settings.answer_cache)
    if seed:
        answerer.fitted_model()  # a model file that does not fit fails here, not on a citizen's first question
    if seeding:
        answerer.warm()
    answerer.curated.use_embedder(retriever.embedder)  # staff answers match paraphrases (bot.curated.MIN_COSINE)
    return Hoidap(settings, store, retriever, answerer, shared)
