"""Each stage of the answerer on its own: understand, units, evidence features, decision, render."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.asking import asked_values
from bot.decide import DESIGN, QUESTION_FEATURES, Logistic, Model, Params, decide, design, load_model, neutral
from bot.evidence import FEATURES, Evidence, EvidenceScorer, _holds, _nested_best
from bot.mapping import WordMap
from hoidap.places import Places
from bot.scope import Scope, Scoper
from bot.dialogue import Turn, read_turn, resolve
from bot.understand import answer_kinds, understand
from bot.units import NUMBER_PLACE_DATE, PART_ANSWERS, PLACE_DATE, PREAMBLE, RECIPIENTS, SIGNATURE, split_units
from bot.words import Vocabulary
from hoidap.models import Document, Hit, Passage
from hoidap.text import folded_text

DOC = Document("kh12", doc_type="KẾ HOẠCH", number="12/KH-UBND", locality="xã Nam Cường", place="Nam Cường",
               issuer="UBND xã Nam Cường", signer="Lường Văn Toàn")
HEAD = Passage("kh12:0", "kh12", 0, "Phần mở đầu",
               "Số: 12/KH-UBND\n\nNam Cường, ngày 5 tháng 3 năm 2026\n\nKẾ HOẠCH\n\n"
               "Truyền thông về chuyển đổi số trên địa bàn xã\n\nThực hiện Quyết định số 1169/QĐ-TTg của Thủ tướng.")
BODY = Passage("kh12:1", "kh12", 1, "II. MỤC TIÊU CỤ THỂ",
               "II. MỤC TIÊU CỤ THỂ\n\n1. Năm 2027\n\na) Ít nhất 30% người dân được tiếp cận thông tin. "
               "Tổ chức 02 lớp tập huấn.\n\nb) Các trường học tổ chức câu lạc bộ STEM cho học sinh.\n\n"
               "2. Nhiệm vụ của các phòng gồm:\n\n- Phòng Văn hóa - Xã hội chủ trì truyền thông;\n\n"
               "- Văn phòng HĐND và UBND xã phối hợp.\n\nĐịnh kỳ trước ngày 15 tháng 6 hằng năm báo cáo UBND xã.")
TAIL = Passage("kh12:2", "kh12", 2, "IV. TỔ CHỨC THỰC HIỆN",
               "Nơi nhận:\n\n- UBND tỉnh;\n\n- Lưu: VT.\n\nKT. CHỦ TỊCH\n\nPHÓ CHỦ TỊCH\n\nLường Văn Toàn")


# -- units
def test_units_are_verbatim_sentences_paragraphs_and_blocks_with_their_heading():
    units = split_units(BODY, DOC)
    assert all(u.text == BODY.text[u.start:u.end] for u in units)
    texts = {u.text: u for u in units}
    sentence = texts["a) Ít nhất 30% người dân được tiếp cận thông tin."]
    assert sentence.kind == "sentence" and "II. MỤC TIÊU CỤ THỂ › 1. Năm 2027 › a)" in sentence.heading
    assert "Tổ chức 02 lớp tập huấn." not in texts  # too short to mean anything outside its paragraph
    # A heading owns what is under it; a lead-in ending in ":" owns its items and nothing after them.
    year = next(u for u in units if u.kind == "block" and u.text.startswith("1. Năm 2027"))
    assert "STEM" in year.text and "2. Nhiệm vụ" not in year.text
    tasks = next(u for u in units if u.kind == "block" and u.text.startswith("2. Nhiệm vụ"))
    assert tasks.text.endswith("phối hợp.") or "Định kỳ" in tasks.text
    lead = [u for u in units if u.kind == "block" and u.text.startswith("2. Nhiệm vụ")]
    assert lead


def test_the_head_and_tail_are_labelled_with_what_they_state():
    units = [u for u in split_units(HEAD, DOC) + split_units(TAIL, DOC) if u.part]
    assert all(u.heading == "" for u in units)  # the body's headings do not reach the head or tail
    parts = {u.part: u.text for u in units if u.kind != "paragraph" or u.part not in (RECIPIENTS, SIGNATURE)}
    assert parts["Địa danh, ngày tháng năm ban hành (ngày ký)"] == "Nam Cường, ngày 5 tháng 3 năm 2026"
    assert parts["Số hiệu của văn bản"] == "Số: 12/KH-UBND"
    assert parts[SIGNATURE] == "KT. CHỦ TỊCH\n\nPHÓ CHỦ TỊCH\n\nLường Văn Toàn"
    assert parts[RECIPIENTS].startswith("Nơi nhận:") and "Lưu: VT." in parts[RECIPIENTS]
    assert "CHỦ TỊCH" not in parts[RECIPIENTS]  # the signature is not a recipient
    assert {u.text for u in units if u.part == RECIPIENTS and u.kind == "paragraph"} == {"- UBND tỉnh;", "- Lưu: VT."}
    assert not [u for u in split_units(TAIL, DOC) if u.text in ("KT. CHỦ TỊCH", "Lường Văn Toàn", "Nơi nhận:")]


def test_parts_printed_side_by_side_are_labelled_on_their_shared_line():
    head = Passage("h:0", "h", 0, "Phần mở đầu", "ỦY BAN NHÂN DÂN XÃ HÒA AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
                   "Số: 88/KH-UBND Hòa An, ngày 9 tháng 4 năm 2026\n\nKẾ HOẠCH\n\nThực hiện Kế hoạch số 45/KH-UBND, "
                   "ngày 30 tháng 01 năm 2026 của UBND tỉnh.")
    tail = Passage("h:1", "h", 1, "II. NHIỆM VỤ", "Nơi nhận: KT. CHỦ TỊCH\n\n- UBND tỉnh; PHÓ CHỦ TỊCH\n\n- Lưu: VT.\n\n"
                   "Trần Văn Bình")
    doc = Document("h", signer="Trần Văn Bình")
    parts = {u.text: u.part for u in split_units(head, doc) + split_units(tail, doc) if u.part}
    assert parts["Số: 88/KH-UBND Hòa An, ngày 9 tháng 4 năm 2026"] == NUMBER_PLACE_DATE
    assert PART_ANSWERS[NUMBER_PLACE_DATE] == {"when"}
    assert parts["Nơi nhận: KT. CHỦ TỊCH\n\n- UBND tỉnh; PHÓ CHỦ TỊCH\n\n- Lưu: VT."] == RECIPIENTS
    assert parts["Trần Văn Bình"] == SIGNATURE
    # a preamble's date is not the signing date: the line says what the plan implements
    assert [p for t, p in parts.items() if t.startswith("Thực hiện")] == [PREAMBLE]


# -- understand
@pytest.mark.parametrize("question, kind", [
    ("Ai chịu trách nhiệm truyền thông?", "who"),
    ("han bao cao la khi nao", "when"),
    ("Bao nhiêu phần trăm người dân?", "how_many"),
    ("Kế hoạch gồm những nhiệm vụ gì?", "list"),
    ("Vì sao phải chuyển đổi số?", "why"),
    ("Kinh phí lấy từ đâu?", "where"),
    ("Kế hoạch này do ai ký?", "document"),
])
def test_answer_kinds(question, kind):
    assert kind in answer_kinds(question)


def test_a_follow_up_naming_only_a_place_asks_the_last_question_there():
    last = Turn(understand("Mục tiêu năm 2027 của xã Nam Cường là gì?", Scope({"nc"}, ["xã Nam Cường"]), {}))
    dong_nai = Scope({"dn"}, ["Đồng Nai"], {"dong", "nai"})

    def read(question, scope, reading=""):
        query = understand(question, scope, {}, reading=reading)
        return resolve(query, read_turn(question, query, last), last)

    follow = read("còn Đồng Nai thì sao?", dong_nai)
    assert follow.follow_up and follow.words == last.query.words and follow.scope.doc_ids == {"dn"}
    assert follow.content == last.query.content  # the evidence embeds what was asked about before
    assert follow.previous == last.query.text  # the answer says how the turn was read
    assert read("Trẻ em ở xã Nam Cường được học gì về chuyển đổi số?", Scope({"nc"}, ["xã Nam Cường"])).anchor == []
    bare = read("con o dong nai thi sao", dong_nai, reading="còn ở đồng nai thì sao")
    assert bare.follow_up and bare.search == f"{last.query.search} còn ở đồng nai thì sao"  # read with its marks too


def test_the_evidence_embeds_what_is_asked_about_without_the_place_and_the_asking_words():
    scope = Scope({"dn"}, ["Đồng Nai"], {"dong", "nai"})
    query = understand("Ở Đồng Nai, học sinh được xài những gì?", scope, {"xai": ["sử dụng"]})
    assert query.content == "học sinh xài sử dụng"
    assert "Đồng Nai" in query.search


def test_a_bare_question_is_searched_and_embedded_as_read_with_its_marks():
    # Before the mapped corpus words (which carry marks) join it: the search would then take it as typed with marks.
    question = "so tu phap an giang bao cao nq71 han chot ngay nao"
    query = understand(question, Scope(), {"nq71": ["Nghị quyết số 71/NQ-CP"]},
                       reading="sở tư pháp an giang báo cáo nq71 hạn chót ngày nào")
    assert query.search == "sở tư pháp an giang báo cáo nq71 hạn chót ngày nào Nghị quyết số 71/NQ-CP"
    assert query.content.startswith("sở tư pháp an giang báo cáo") and query.content.endswith("Nghị quyết số 71/NQ-CP")
    assert query.words == understand(question, Scope(), {}).words  # the words weighed stay those typed
    assert query.text == question


def test_everyday_words_map_to_the_corpus_words_only_where_the_corpus_lacks_them():
    corpus = folded_text("trẻ em được sử dụng truyền hình; hình thức")
    words = WordMap(corpus, [("con nít", "trẻ em"), ("xài", "sử dụng"), ("truyền hình", "TV"), ("ti vi", "truyền hình")])
    mapped = words.map(folded_text("con nít xài ti vi nhiều"), [])
    assert mapped == {"con nit": ["trẻ em"], "xai": ["sử dụng"], "ti vi": ["truyền hình"]}
    assert "truyen hinh" not in words.table  # the corpus uses it: nothing to map


def test_places_after_2025_and_places_without_a_plan():
    named = Places().named("Kế hoạch của TP.HCM và xã Nam Cường")
    assert "Thành phố Hồ Chí Minh" in named and "Xã Nam Cường" in named
    assert Places().named("Tôi là cán bộ xã, văn bản kế hoạch có gửi Sở không?") == []  # no "xã Vân Bản"
    scoper = Scoper([DOC], HEAD.text)
    assert scoper.unplanned_places("Hà Nội có kế hoạch chuyển đổi số không?") == ["Thành phố Hà Nội"]
    assert scoper.unplanned_places("xã Nam Cường có kế hoạch gì?") == []
    assert scoper.unplanned_places("Lào Cai và xã Nam Cường làm gì?") == []  # a place we hold is named too


@pytest.mark.parametrize("question, held", [
    ("Bình Phước đặt mục tiêu gì đến năm 2030?", True),  # part of Đồng Nai since 1 July 2025
    ("binh phuoc dat muc tieu gi den nam 2030", True),
    ("Bình Dương có kế hoạch gì về Nghị quyết 57?", False),  # part of TP.HCM now: no plan of it is held
    ("tinh Ha Nam co ke hoach gi ve NQ57", False),
])
def test_a_province_merged_in_2025_is_the_province_it_is_part_of_now(question, held):
    dong_nai = replace(DOC, id="dn", locality="Đồng Nai", place="Đồng Nai")
    scoper = Scoper([dong_nai], HEAD.text)
    assert (scoper.scope(question).doc_ids == {"dn"}) is held
    assert bool(scoper.unplanned_places(question)) is not held
    assert Places().named("Vì hòa bình và phát triển") == []  # "hòa bình" is a province only as "tỉnh Hòa Bình"
    if not held:  # the decline says what the place is part of now
        assert "(nay thuộc " in scoper.outside(question)["place"]


@pytest.mark.parametrize("question, reason", [
    ("Viết giúp em bài nghị luận về chuyển đổi số", "compose"),
    ("Sáng tác giúp mình mấy câu khẩu hiệu về chuyển đổi số", "compose"),
    ("viết giùm mình cái email xin nghỉ phép", "compose"),
    ("ke 1 chuyen cuoi di", "compose"),
    ("Theo bạn kế hoạch này có khả thi không?", "opinion"),
    ("Bạn nghĩ sao về kế hoạch này?", "opinion"),
])
def test_only_what_is_asked_of_the_bot_is_ruled_before_the_search(question, reason):
    assert Scoper([DOC], "Thực hiện Nghị quyết số 57-NQ/TW").addressed_to_bot(question, question) == reason


@pytest.mark.parametrize("question", [
    "so tu phap co dang van ban nghi quyet 57 len zalo khong",  # bare "bản nghị quyết" is no "bạn nghĩ"
    "van ban thay the ke hoach nao",
    "Người lao động được nghỉ 3 ngày khi kết hôn, đúng hay sai?",  # a statement to check, not the bot's view
    "Kế hoạch có tốt hay không, có hiệu quả không?",
    "Tôi lo việc đăng tin, viết bài cho Sở, Sở có mở lớp tập huấn không?",  # writing is the asker's job here
    "Kế hoạch của Đồng Nai giúp gì cho doanh nghiệp?",
    "Dịch vụ công trực tuyến giúp người dân thế nào?",
    "tóm tắt giúp mình kế hoạch của Sở Tư pháp Hà Tĩnh",  # a summary of a document is quoted from it
])
def test_what_is_not_asked_of_the_bot_is_decided_with_the_evidence(question):
    assert Scoper([DOC], "Thực hiện Nghị quyết số 57-NQ/TW").addressed_to_bot(question, question) is None


@pytest.mark.parametrize("question, signal", [
    ("Cách định danh điện tử mức 2 trên VNeID?", "procedure"),
    ("Nghị định 13 quy định gì?", "law"),
    ("Hà Nội có kế hoạch chuyển đổi số không?", "place"),
    ("Thanh Hóa có kế hoạch như xã Nam Cường không?", "other_place"),
    ("Ngày mai có mưa không?", "topic"),
])
def test_signals_that_no_document_answers_are_named_for_what_they_are(question, signal):
    assert signal in Scoper([DOC], "Thực hiện Nghị quyết số 57-NQ/TW").outside(question)


def test_a_topic_the_corpus_speaks_of_is_no_sign_of_being_outside_it():
    question = "Tranh chấp về thừa kế do Tòa án nào giải quyết?"
    assert Scoper([DOC], "Thực hiện Nghị quyết số 57-NQ/TW").outside(question) == {"topic": "vụ việc pháp lý cá nhân"}
    code = "Tòa án giải quyết tranh chấp về thừa kế theo quy định của Bộ luật này."
    assert Scoper([DOC], code).outside(question) == {}


@pytest.mark.parametrize("question, money, years", [
    ("Người phạm tội đánh bạc còn có thể bị phạt tiền từ bao nhiêu đến bao nhiêu?", True, []),
    ("Mức lương của chuyên gia công nghệ số là bao nhiêu?", True, []),
    ("muc luong chuyen gia cong nghe so", True, []),
    # "lượng" folds like "lương": amounts of things, not pay
    ("Nếu các bên không thoả thuận về chất lượng tài sản thì xác định thế nào?", False, []),
    ("Người trồng cây thuốc phiện với số lượng từ 500 cây thì bị phạt tù bao lâu?", False, []),
    ("Đến năm 2030 có bao nhiêu doanh nghiệp công nghệ số?", False, ["2030"]),
    # a year that names a law is part of its name
    ("Theo Bộ luật Hình sự năm 2017, hình phạt là gì?", False, []),
    ("theo luat an ninh mang 2018 thi tham dinh la gi", False, []),
])
def test_the_values_a_question_asks_for(question, money, years):
    asked_money, _, asked_years = asked_values(question)
    assert (asked_money, asked_years) == (money, years)


# -- evidence
def _scorer(passages):
    units = {p.id: split_units(p, DOC) for p in passages}
    vocab = Vocabulary(passages)
    return EvidenceScorer(vocab, lambda h: units[h.passage.id],
                          lambda d: [u for p in (HEAD, TAIL) for u in split_units(p, d) if u.part])


def test_features_describe_what_a_unit_holds():
    scorer = _scorer([HEAD, BODY, TAIL])
    query = understand("Hạn báo cáo là ngày nào?", Scope(), {})
    evidence = scorer.score(query, [Hit(BODY, DOC, 1.0, 1.0)])
    by_text = {e.unit.text: dict(zip(FEATURES, e.features)) for e in evidence}
    deadline = by_text["Định kỳ trước ngày 15 tháng 6 hằng năm báo cáo UBND xã."]
    stem = by_text["b) Các trường học tổ chức câu lạc bộ STEM cho học sinh."]
    assert deadline["when_date"] == 1 and deadline["cover"] > stem["cover"] and stem["when_no_date"] == 1
    assert deadline["cover_gap"] == 0 and stem["cover_gap"] < 0
    # The document's head and tail come along even though the retriever did not return them.
    parts = {e.unit.part: dict(zip(FEATURES, e.features)) for e in evidence if e.unit.part}
    date, signer = parts[PLACE_DATE], parts[SIGNATURE]  # "ngày nào" asks for the one, not the other
    assert date["part_kind"] == 1 and date["part_other_kind"] == 0
    assert signer["part_kind"] == 0 and signer["part_other_kind"] == 1


def test_a_unit_is_compared_through_the_units_it_holds_and_those_holding_it():
    units = split_units(BODY, DOC)
    pairs = [(u, 0, Hit(BODY, DOC, 1.0)) for u in units]
    sentence = next(i for i, u in enumerate(units) if u.text == "a) Ít nhất 30% người dân được tiếp cận thông tin.")
    holders = [i for i, u in enumerate(units) if i != sentence and units[sentence].text in u.text]
    assert len(holders) == 3  # its paragraph "a) …", the blocks "1. Năm 2027 …" and "II. MỤC TIÊU CỤ THỂ …"
    dense = np.full(len(units), 0.5, np.float32)
    dense[sentence], dense[holders[0]] = 0.9, 0.7
    inner, outer = _nested_best(_holds(pairs), dense)
    assert all(inner[i] == np.float32(0.9) for i in holders)  # the matching sentence inside
    assert inner[sentence] == np.float32(0.9) and outer[sentence] == np.float32(0.7)  # its best holder
    alone = next(i for i, u in enumerate(units) if u.text.startswith("II. MỤC TIÊU"))  # held by nothing
    assert outer[alone] == dense[alone]


# -- decision
def _evidence(p: float, doc: Document, passage: Passage = BODY) -> Evidence:
    unit = split_units(passage, doc)[0]
    return Evidence(unit, Hit(passage, doc, 1.0), np.zeros(len(FEATURES), np.float32), p)


def test_decision_answers_shows_the_nearest_declines_and_quotes_each_place():
    query = understand("Mục tiêu chuyển đổi số là gì?", Scope(), {})
    other = Document("dn", locality="Đồng Nai")
    params = Params(answer_threshold=0.5, scope_threshold=0.3, place_ratio=0.8, vague_words=0)
    assert decide(query, [_evidence(0.4, DOC)], params, in_scope=0.2).status == "decline"  # not ours
    related = decide(query, [_evidence(0.4, DOC), _evidence(0.3, DOC, HEAD), _evidence(0.2, other, TAIL),
                             _evidence(0.1, DOC, TAIL)], params, in_scope=0.6)
    assert related.status == "related"  # ours, but no unit sure: the nearest, one per passage, three at most
    assert [e.probability for e in related.main] == [0.4, 0.3, 0.2]
    decision = decide(query, [_evidence(0.9, DOC), _evidence(0.8, other), _evidence(0.6, other)], params, in_scope=0.9)
    assert decision.status == "answer" and [e.unit.document.id for e in decision.main] == ["kh12", "dn"]
    vague = decide(query, [_evidence(0.9, DOC), _evidence(0.85, other)], Params(0.5, 0.3, 0.8, vague_words=5), 0.9)
    assert (vague.status, vague.places) == ("clarify", ["xã Nam Cường", "Đồng Nai"])


def test_the_shipped_model_matches_the_features_and_was_fitted():
    for dense in (True, False):
        model = load_model(dense)
        assert model.units.features == DESIGN and np.any(model.units.weights != 0)
        assert model.scope.features == QUESTION_FEATURES and np.any(model.scope.weights != 0)
        x = np.zeros((2, len(FEATURES)))
        p = model.probabilities(x, {"when"})
        assert 0 < p[0] < 1 and 0 < model.in_scope(x, p) < 1


def test_the_design_crosses_each_feature_with_the_kinds_asked():
    x = np.arange(1, len(FEATURES) + 1, dtype=np.float32)[None]
    crossed = dict(zip(DESIGN, design(x, {"when"})[0]))
    assert crossed["cover"] == crossed["cover|when"] == x[0, FEATURES.index("cover")]
    assert crossed["cover|who"] == crossed["cover|other"] == 0
    assert dict(zip(DESIGN, design(x, set())[0]))["cover|other"] == crossed["cover"]


def test_a_model_fitted_on_other_features_is_refused():
    bad = Model(Logistic(["cover"], np.zeros(1), np.ones(1), np.ones(1), 0.0), neutral(QUESTION_FEATURES)).to_dict()
    with pytest.raises(ValueError, match="bench.fit"):
        Model.from_dict(bad)
    with pytest.raises(ValueError, match="bench.fit"):  # a file written before the scope model
        Model.from_dict({"features": DESIGN, "weights": [], "params": {}})


def test_a_document_named_by_its_title_is_named_not_searched_for():
    titled = replace(DOC, title="Truyền thông về chuyển đổi số trên địa bàn xã")
    scoper = Scoper([titled], HEAD.text)
    assert {"truyen", "thong", "chuyen", "doi", "so"} <= scoper.scope("Kế hoạch truyền thông về chuyển đổi số của xã "
                                                                      "Nam Cường ký ngày nào?").naming_words
    # two syllables are a topic ("kế hoạch truyền thông có những nội dung gì?") unless the name visibly ends there;
    # words after another type are not the title
    assert not {"truyen", "thong"} & scoper.scope("Kế hoạch truyền thông có những nội dung gì?").naming_words
    assert {"truyen", "thong"} <= scoper.scope("Kế hoạch truyền thông này nhằm mục đích gì?").naming_words
    assert {"truyen", "thong"} <= scoper.scope("ke hoach truyen thong cua xa Nam Cuong ky ngay nao").naming_words
    assert not {"chuyen", "doi"} & scoper.scope("Quyết định truyền thông về chuyển đổi số ra khi nào?").naming_words
