"""Index generations shared by replicas: one process builds and publishes a generation in the shared index
directory (HOIDAP_INDEX_DIR) and announces it (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY); the others load
it and swap without building it again and without a search waiting. And the answer cache, keyed by that generation."""
import shutil
import threading
import time

import pytest

from hoidap.config import BUNDLED_CORPUS, Settings
from hoidap.shared import LocalState, RedisState
from hoidap.wiring import open_hoidap
from retrieval.snapshot import Snapshot

BUILD = Snapshot.build.__func__

QUESTION = "Kế hoạch truyền thông năm 2025 có những nhiệm vụ nào?"
NEW = "dongnai_ubnd_kh45.txt"


def replica(tmp_path, name, corpus, pg_schema, redis_prefix=None, **overrides):
    url, schema = pg_schema
    redis = {"redis_url": redis_prefix[0], "redis_prefix": redis_prefix[1]} if redis_prefix else {}
    settings = Settings(data_dir=tmp_path / name, corpus_dir=corpus, embedder="none", index_dir=tmp_path / "index",
                        database_url=f"{url}?options=-csearch_path%3D{schema}", **redis, **overrides)
    return open_hoidap(settings)


def wait_for(condition, seconds=20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


@pytest.mark.parametrize("announced_by", ["redis", "postgresql"])
def test_a_published_generation_reaches_the_other_replica_without_a_rebuild(tmp_path, corpus, pg_schema, redis_prefix,
                                                                             announced_by, monkeypatch):
    redis = redis_prefix if announced_by == "redis" else None
    a, b = (replica(tmp_path, name, corpus, pg_schema, redis) for name in "ab")
    assert isinstance(b.shared, RedisState if redis else LocalState)
    assert b.retriever.snapshot.path == a.retriever.snapshot.path  # B loaded what A published at seeding
    b.follow()
    builds = []
    monkeypatch.setattr(Snapshot, "build", classmethod(lambda cls, *args: builds.append(1) or BUILD(cls, *args)))
    shutil.copy(BUNDLED_CORPUS / NEW, corpus)
    a.ingest([corpus])  # builds once, publishes, announces
    wait_for(lambda: b.retriever.generation == a.store.generation())  # no search asked B to look
    assert builds == [1] and b.retriever.snapshot.path == a.retriever.snapshot.path  # B loaded A's generation
    assert b.answerer.ask("Đồng Nai giao Sở Khoa học và Công nghệ nhiệm vụ gì?").citations[0].doc_id == "dongnai-ubnd-kh45"


def test_repeated_questions_are_answered_from_the_cache_until_the_index_changes(tmp_path, corpus):
    app = open_hoidap(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embedder="none"))
    cache = app.answerer.answers
    first = app.answerer.ask(QUESTION, session_id="web:1")
    assert app.answerer.ask(f"  {QUESTION} ", session_id="web:2") == first  # spacing aside, the same question
    assert cache.stats() == {"hits": 1, "misses": 1, "hit_rate": 0.5}
    assert app.answerer.memory.get("web:2") is not None  # a hit still gives the session its follow-up context
    follow_up = app.answerer.ask("còn An Giang thì sao?", session_id="web:2")
    assert app.answerer.ask("còn An Giang thì sao?") != follow_up  # a follow-up's answer is its session's
    placed = f"Ở An Giang, {QUESTION[:1].lower()}{QUESTION[1:]}"
    alone = app.answerer.ask(placed, session_id="web:3")
    hits = cache.stats()["hits"]
    assert app.answerer.ask(placed, session_id="web:2") == alone  # a question of its own is shared in a session too
    assert cache.stats()["hits"] == hits + 1
    # one without a place, in a session that has one, is asked there (bot/dialogue.py): that session's own answer
    assert app.answerer.ask(QUESTION, session_id="web:2").status in {"answered", "related"}
    assert cache.stats()["hits"] == hits + 1
    shutil.copy(BUNDLED_CORPUS / NEW, corpus)
    app.ingest([corpus])
    misses = cache.stats()["misses"]
    app.answerer.ask(QUESTION)
    assert cache.stats()["misses"] == misses + 1  # a new generation: asked again
    app.answerer.curated.add(QUESTION, "Câu trả lời của Sở.", source="Văn phòng Sở")
    assert app.answerer.ask(QUESTION).text.startswith("Câu trả lời của Sở")  # a staff answer is never hidden


def test_the_answer_cache_is_shared_through_redis_and_can_be_turned_off(tmp_path, corpus, pg_schema, redis_prefix):
    a, b = (replica(tmp_path, name, corpus, pg_schema, redis_prefix) for name in "ab")
    a.answerer.ask(QUESTION)
    b.answerer.ask(QUESTION)
    assert a.answerer.answers.stats() == b.answerer.answers.stats() == {"hits": 1, "misses": 1, "hit_rate": 0.5}
    off = open_hoidap(Settings(data_dir=tmp_path / "off", corpus_dir=corpus, embedder="none", answer_cache=0))
    assert off.answerer.answers is None and off.answerer.ask(QUESTION).status == "answered"


def test_a_question_never_waits_for_the_answerer_to_catch_up(tmp_path, corpus, monkeypatch):
    """Another process changed the store: this one answers from the generation it has (at 10,000 passages the
    answerer's rebuild takes seconds), rebuilding in the background, then swaps."""
    from bot.corpus import Corpus
    from hoidap.store import Store
    from ingest.pipeline import ingest_paths

    app = open_hoidap(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embedder="none", answer_cache=0))
    before = app.answerer.corpus
    release = threading.Event()
    build = Corpus.build.__func__
    monkeypatch.setattr(Corpus, "build", classmethod(lambda cls, *args: release.wait(30) and build(cls, *args)))
    shutil.copy(BUNDLED_CORPUS / NEW, corpus)
    ingest_paths(Store(tmp_path / "data" / "hoidap.sqlite"), tmp_path / "files", [corpus])  # another process
    started = time.monotonic()
    assert app.answerer.ask(QUESTION).status == "answered"
    assert time.monotonic() - started < 10 and app.answerer.corpus is before  # answered from what it had
    release.set()
    wait_for(lambda: app.answerer.corpus is not before)
    assert "dongnai-ubnd-kh45" in app.answerer.documents
