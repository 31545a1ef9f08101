"""The frame reader (bot/frames.py) and the same answer whatever the frame: cases of `python -m bench.frames`."""
from __future__ import annotations

import pytest

from bench.frames import FRAMES, Case
from bot import frames
from hoidap.config import Settings
from hoidap.text import collapse_ws, fold
from hoidap.wiring import open_hoidap

CORES = [
    "Đồng Nai đặt mục tiêu gì đến năm 2030",
    "Kinh phí thực hiện kế hoạch ở xã Nam Cường lấy từ đâu",
    "Sở Tư pháp An Giang có dùng chatbot để trả lời người dân",
    "Người lao động làm mất dụng cụ thì phải bồi thường",
    "Điều 5 khoản 1 điểm a",  # a core ending in "a" keeps it
    "Các xã phải tuyên truyền tới từng nhà",  # bare "nha" is nhà: kept
]


def _same(a: str, b: str) -> bool:
    return fold(collapse_ws(a)).strip(" ?.,") == fold(collapse_ws(b)).strip(" ?.,")


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("name", [n for n in FRAMES if n not in ("persona with place", "preface naming it")])
@pytest.mark.parametrize("spell", [lambda t: t, fold], ids=["marks", "no marks"])
def test_every_generated_frame_is_cut_back_to_its_core(core, name, spell):
    case = Case("t", core + "?", "", "", lambda a: True)
    framed = frames.read(spell(FRAMES[name](case)))
    assert _same(framed.core, spell(core)), framed
    assert framed.frames


@pytest.mark.parametrize("question, core, kinds, persona", [
    ("Cho em hỏi ạ, Đồng Nai có dùng chatbot không ạ?", "Đồng Nai có dùng chatbot", {"courtesy", "yes_no"}, ""),
    ("Người lao động được nghỉ 3 ngày khi kết hôn, đúng hay sai?", "Người lao động được nghỉ 3 ngày khi kết hôn",
     {"true_false"}, ""),
    ("Theo Luật An ninh mạng, doanh nghiệp phải làm gì?", "doanh nghiệp phải làm gì?", {"preface"}, ""),
    ("Cơ quan nào sau đây có thẩm quyền? A. Bộ Công an B. Bộ Quốc phòng", "Cơ quan nào có thẩm quyền?", {"choice"}, ""),
    ("Mình là giáo viên cấp 3 ở Đồng Nai, kế hoạch 45 nói gì về giáo dục STEM?",
     "kế hoạch 45 nói gì về giáo dục STEM?", {"persona"}, "giáo viên cấp 3 ở Đồng Nai"),
    # one persona clause after another ("Tôi là …, tôi ở …, …"): both are who asks
    ("Tôi là tiểu thương, tôi là người dân An Giang, Sở Tư pháp có làm gì về lừa đảo qua mạng không?",
     "Sở Tư pháp có làm gì về lừa đảo qua mạng", {"persona", "yes_no"}, "tiểu thương, người dân An Giang"),
    # the core asks about the asker: the persona is what is asked about
    ("Tôi là trưởng phòng ở Sở Tư pháp Hà Tĩnh, kế hoạch giao cho tôi việc gì?",
     "trưởng phòng ở Sở Tư pháp Hà Tĩnh, kế hoạch giao cho tôi việc gì?", {"persona"}, "trưởng phòng ở Sở Tư pháp Hà Tĩnh"),
    ("Tới năm 2030, Nam Cường muốn bao nhiêu phần trăm?", "Tới năm 2030, Nam Cường muốn bao nhiêu phần trăm?", set(), ""),
    ("Theo dõi việc thực hiện là ai?", "Theo dõi việc thực hiện là ai?", set(), ""),  # "theo dõi" cites nothing
    ("kế hoạch số 1115 ban hành ngày nào, h còn dùng ko", "kế hoạch số 1115 ban hành ngày nào, h còn dùng", {"yes_no"}, ""),
])
def test_frames_are_read_off_real_questions(question, core, kinds, persona):
    framed = frames.read(question)
    assert (framed.core, set(framed.frames), framed.persona) == (core, kinds, persona)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return open_hoidap(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="none", answer_cache=0))


@pytest.mark.parametrize("question", [
    "Xã Nam Cường phải báo cáo kết quả thực hiện trước ngày nào?",
    "Đồng Nai khuyến khích học sinh theo những môn STEM nào?",
    "Sở Tư pháp Hà Tĩnh tuyên truyền trên những kênh nào?",
])
def test_a_fact_asked_in_any_frame_gets_the_bare_answer(app, question):
    scope = app.answerer.corpus.scoper.scope(question)
    case = Case("t", question, scope.localities[0] if scope.localities else "", "kế hoạch", lambda a: True)
    bare = app.answerer.ask(question)
    assert bare.status in {"answered", "related"} and bare.citations
    for name, frame in FRAMES.items():
        framed = app.answerer.ask(frame(case), session_id=f"frame-{name}-{question}")
        assert framed.status == bare.status, name
        assert framed.citations[0].quote == bare.citations[0].quote, name


def test_a_verdict_asked_gets_what_the_document_states_not_a_verdict(app):
    answer = app.answerer.ask("Xã Nam Cường phải báo cáo kết quả trước ngày 20 tháng 6, đúng hay sai?")
    assert answer.status == "answered" and "trước ngày 20 tháng 6" in answer.citations[0].quote
    assert " nêu" in answer.text.split("\n")[0] and "đúng" not in answer.text.lower().replace("đúng hay sai", "")


def test_a_persona_question_is_answered_like_its_bare_form(app):
    bare = app.answerer.ask("Kế hoạch 45 của Đồng Nai nói gì về giáo dục STEM?")
    persona = app.answerer.ask("Mình là giáo viên cấp 3 ở Đồng Nai, kế hoạch 45 nói gì về giáo dục STEM?")
    assert persona.status == bare.status == "answered"
    assert persona.citations[0].quote == bare.citations[0].quote


def test_a_request_for_the_bots_opinion_is_still_declined(app):
    answer = app.answerer.ask("Theo bạn kế hoạch của Đồng Nai có khả thi không?")
    assert answer.status == "out_of_scope" and "ý kiến" in answer.text and not answer.citations


@pytest.mark.parametrize("question", [
    "5 rõ, 3 dám trong kế hoạch của Sở Tư pháp An Giang là những gì?",
    "Đồng Nai làm tuyên truyền xong có chấm điểm, công khai kết quả hằng năm cho dân biết không?",
])
@pytest.mark.parametrize("spell", [lambda t: t, fold], ids=["marks", "no marks"])
def test_a_preface_naming_what_the_question_names_adds_nothing_to_the_search(app, question, spell):
    issuer = app.answerer.corpus.scoper.scope(question)
    named = app.answerer.documents[sorted(issuer.doc_ids)[0]].issuer
    prefaced = FRAMES["preface naming it"](Case("t", question, "", f"kế hoạch của {named}", lambda a: True))
    bare, framed = (app.answerer.examine(spell(q), session_id=f"named-{i}") for i, q in enumerate([question, prefaced]))
    assert "preface" in framed.query.frames and framed.query.search.lower() == bare.query.search.lower()
    assert framed.query.scope.doc_ids == bare.query.scope.doc_ids


def test_a_preface_naming_a_document_the_question_does_not_name_is_searched_with_it(app):
    examined = app.answerer.examine("Theo kế hoạch của UBND tỉnh Đồng Nai, mục tiêu đến năm 2030 là gì?")
    assert examined.query.search.startswith("kế hoạch của UBND tỉnh Đồng Nai, mục tiêu")
    assert examined.query.scope.doc_ids == {"dongnai-ubnd-kh45"}
