"""Conversations: a turn read with the session's last answered question (bot/dialogue.py), on the seed corpus."""
from __future__ import annotations

import pytest

from bot.dialogue import Turn, read_turn, referent, resolve
from bot.scope import Scope
from bot.understand import understand
from hoidap.config import Settings
from hoidap.text import collapse_ws
from hoidap.wiring import open_hoidap

LAST = Turn(understand("Xã Nam Cường phải báo cáo kết quả trước ngày nào?", Scope({"nc"}, ["xã Nam Cường"]), {}))


@pytest.mark.parametrize("turn, scope, reading", [
    ("còn Đồng Nai thì sao?", Scope({"dn"}, ["Đồng Nai"], {"dong", "nai"}), "place_switch"),
    ("thế ở xã Nam Cường?", Scope({"nc2"}, ["xã Nam Cường"], {"nam", "cuong", "xa"}), "place_switch"),
    ("ai chủ trì việc đó?", Scope(), "drill_down"),
    ("hạn hoàn thành là khi nào", Scope(), "drill_down"),
    ("phoi hop voi ai de lam viec do", Scope(), "drill_down"),
    ("không phải, ý mình là kế hoạch thực hiện NQ 71 cơ", Scope({"ag"}, ["An Giang"]), "correction"),
    ("Hỏi chuyện khác: Sở Tư pháp Hà Tĩnh có treo băng rôn ở trụ sở không?", Scope({"ht"}, ["Hà Tĩnh"]), "new_topic"),
    ("Kinh phí thực hiện kế hoạch lấy từ nguồn ngân sách nhà nước hay xã hội hóa?", Scope(), "standalone"),
])
def test_a_turn_is_read_from_general_signals(turn, scope, reading):
    from bot import frames

    framed = frames.read(turn)
    query = understand(framed.core, scope, {}, frames=framed.frames)
    assert read_turn(turn, query, LAST) == reading
    assert read_turn(turn, query, None) == "standalone"  # nothing to go on from


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return open_hoidap(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="none", answer_cache=0))


def ask(app, question, session):
    return app.answerer.ask(question, session_id=session)


def first(answer) -> str:
    return collapse_ws(answer.citations[0].quote) if answer.citations else ""


def test_a_drill_down_finds_the_line_of_the_task_last_quoted(app):
    asked = ask(app, "Sở Tư pháp An Giang làm gì để người dân dùng dịch vụ công online nhiều hơn?", "drill")
    assert asked.status == "answered" and "dịch vụ công trực tuyến" in first(asked)
    who = ask(app, "phong nao thuc hien?", "drill")
    assert who.status == "answered" and "Đơn vị thực hiện: Phòng Phổ biến, giáo dục pháp luật" in first(who)
    assert who.text.startswith("(Tôi hiểu đây là câu hỏi tiếp theo câu trước")  # the reading is shown
    assert who.suggestions[0] == "Câu hỏi mới: phong nao thuc hien?"


def test_a_correction_asks_the_last_question_of_the_plan_named_now(app):
    asked = ask(app, "Kế hoạch QĐ 1169 của Sở Tư pháp An Giang: báo cáo 6 tháng nộp muộn nhất ngày nào?", "correct")
    assert "chậm nhất ngày 12 tháng 6 năm 2026" in first(asked)
    corrected = ask(app, "nhầm, hỏi lại: mình muốn hỏi kế hoạch thực hiện NQ71 của Sở cơ", "correct")
    assert corrected.status == "answered" and corrected.citations[0].doc_id == "angiang-stp-nq71"
    assert "trước ngày 10 của tháng cuối quý" in first(corrected)


def test_thanks_and_a_decline_keep_the_thread(app):
    ask(app, "STP An Giang dang tin len mang xa hoi nao vay?", "thread")
    assert ask(app, "ok, cảm ơn nha", "thread").status == "smalltalk"
    assert ask(app, "Giá vàng hôm nay bao nhiêu?", "thread").status in {"out_of_scope", "not_found"}
    answer = ask(app, "bên Sở Tư pháp Hà Tĩnh thì họ đăng bài ở đâu?", "thread")
    assert answer.status == "answered" and answer.citations[0].doc_id == "hatinh-stp-nq57"
    assert "Cổng thông tin điện tử của Sở" in first(answer)


def test_a_new_question_chip_starts_a_new_thread(app):
    ask(app, "Xã Nam Cường phải báo cáo kết quả thực hiện trước ngày nào?", "chip")
    follow = ask(app, "ai chủ trì?", "chip")
    assert follow.suggestions[0] == "Câu hỏi mới: ai chủ trì?"
    fresh = app.answerer.examine(follow.suggestions[0], session_id="chip")
    assert fresh.query is not None and not fresh.query.follow_up


def test_the_thread_is_kept_across_replicas_on_redis(tmp_path, redis_prefix):
    url, prefix = redis_prefix
    settings = Settings(data_dir=tmp_path / "data", embedder="none", answer_cache=0, redis_url=url, redis_prefix=prefix)
    a, b = open_hoidap(settings), open_hoidap(settings)
    assert a.answerer is not b.answerer
    ask(a, "Xã Nam Cường phải báo cáo kết quả thực hiện trước ngày nào?", "replicas")
    answer = ask(b, "còn Đồng Nai thì sao?", "replicas")
    assert answer.status == "answered" and answer.citations[0].doc_id == "dongnai-ubnd-kh45"
    assert "trước ngày 15 tháng 6" in first(answer)


def test_a_drill_down_stays_in_the_block_of_the_task_last_quoted(app):
    # Two tasks share a passage, each with its own "Đơn vị thực hiện" line: "ai làm việc này?" asks for the line of
    # the task the last answer quoted, not for its neighbour's.
    asked = ask(app, "Xã Nam Cường làm gì để đưa Nghị quyết 57 đến từng hộ gia đình?", "block")
    assert asked.status == "answered" and first(asked).startswith("1.4. Phát huy vai trò của Hệ thống truyền thanh")
    who = ask(app, "ai làm việc này?", "block")
    assert who.status in {"answered", "related"}  # the model was fitted on questions asked alone: it may be unsure
    assert "Đơn vị thực hiện: Phòng Văn hoá - Xã hội; Trung tâm dịch vụ tổng hợp." in first(who)
    assert "Trung tâm Phục vụ hành chính công" not in first(who)  # the line of task 1.3, just before


def test_a_place_switch_asks_what_the_turn_asks_there_with_the_last_question_as_context(app):
    ask(app, "Xã Nam Cường tổ chức hoạt động hưởng ứng vào những ngày nào?", "switch")
    answer = ask(app, "còn Đồng Nai thì ai chủ trì các sự kiện đó?", "switch")
    assert answer.citations and answer.citations[0].doc_id == "dongnai-ubnd-kh45"
    assert "Sở Khoa học và Công nghệ chủ trì" in first(answer)


@pytest.mark.parametrize("turn", ["khi nào thì họ làm?", "khi nao thi ho lam"])
def test_a_turn_pointing_back_is_not_declined_when_unsure(app, turn):
    ask(app, "Phòng nào của Sở Tư pháp An Giang góp ý sửa luật về khoa học công nghệ?", f"unsure-{turn}")
    answer = ask(app, turn, f"unsure-{turn}")
    assert answer.status in {"answered", "related"} and answer.citations
    assert answer.citations[0].doc_id == "angiang-stp-nq71"


def test_a_short_turn_pointing_back_to_a_place_without_a_plan_is_still_declined(app):
    ask(app, "Xã Nam Cường làm gì để đưa Nghị quyết 57 đến từng hộ gia đình?", "elsewhere")
    answer = ask(app, "thế tỉnh Lào Cai có làm như vậy không?", "elsewhere")
    assert answer.status in {"out_of_scope", "not_found"} and not answer.citations


@pytest.mark.parametrize("turn, year", [("năm sau thì sao?", "2027"), ("con nam tiep theo?", "2027"),
                                        ("còn năm 2030?", "2030")])
def test_a_year_named_by_the_last_ones_asks_the_last_question_for_it(app, turn, year):
    session = f"year-{turn}"
    ask(app, "Năm 2026 xã Nam Cường muốn bao nhiêu phần trăm người dân tiếp cận thông tin định hướng?", session)
    answer = ask(app, turn, session)
    assert answer.status in {"answered", "related"}
    assert year in answer.citations[0].quote or year in answer.text


@pytest.mark.parametrize("turn, said, name", [
    ("trung tâm đó còn phải báo cáo lên cấp trên nào?",
     "kịp thời báo cáo UBND xã (*qua Trung tâm Phục vụ hành chính công xã*) để được xem xét",
     "trung tam phuc vu hanh chinh cong xa"),  # up to the punctuation that ends the name
    ("van ban do cua co quan nao", "(Đính kèm tài liệu Văn bản số 321-CV/BTGDVTU ngày 17/7/2025)",
     "van ban so 321-cv/btgdvtu ngay 17/7/2025"),  # typed bare, found folded
    ("Sở đó có phải làm kế hoạch riêng không?", "phối hợp với cơ sở nghiên cứu; Sở Khoa học và Công nghệ chủ trì",
     "so khoa hoc va cong nghe chu"),  # one syllable: only where it opens a name, not "cơ sở"
    ("Sở đó tuyên truyền gì?", "kết quả chuyển đổi số trên địa bàn tỉnh", ""),  # typed with marks: "sở" is not "số"
    ("việc đó ai làm?", "Việc cập nhật dữ liệu", ""),  # a generic noun points at the task, not at a name
    ("ai chủ trì?", "Sở Khoa học và Công nghệ chủ trì", ""),  # nothing pointed at
])
def test_a_thing_pointed_at_is_named_by_what_the_last_answer_quoted(turn, said, name):
    assert referent(turn, said) == name


def test_a_question_declined_in_a_place_starts_the_thread_there(app):
    assert ask(app, "Hà Tĩnh có bao nhiêu xã?", "declined-place").status == "not_found"
    answer = ask(app, "thế ai ký kế hoạch?", "declined-place")
    assert answer.status == "answered" and answer.citations[0].doc_id == "hatinh-stp-nq57"
    assert "Nguyễn Quốc Tuấn" in first(answer)


def test_a_drill_down_nothing_else_answers_is_answered_by_the_unit_last_quoted(app):
    asked = ask(app, "Đồng Nai huy động chuyên gia, nhà khoa học tham gia truyền thông thế nào?", "again")
    assert first(asked).startswith("đ) Huy động đội ngũ cán bộ khoa học")
    how = ask(app, "qua nhung hinh thuc nao", "again")  # the answer is in the same line: "thông qua các buổi nói chuyện"
    assert how.status == "answered" and first(how) == first(asked)


@pytest.mark.parametrize("turn, anchored", [
    ("thôi, về Đồng Nai tiếp: phóng viên có được tập huấn không?", False),  # back after an aside, asking anew
    ("thôi, ai chủ trì việc đó?", True),  # back, and pointing at what was quoted
    ("vậy hạn hoàn thành là khi nào?", True),  # goes on into the last answer
    ("còn STEM thì sao?", False),  # turns aside to words of its own
    # "Sở đó", "xã này" point at the thread's place, not at what was quoted ("cơ sở đó" is no place)
    ("thôi quay lại nhé, Sở đó tuyên truyền quan điểm gì của Đảng?", False),
    ("thoi quay lai nhe, so do tuyen truyen quan diem gi cua Dang?", False),
    ("thôi, qua kênh cơ sở đó thì tuyên truyền gì?", True),
    # "họ" in a whole question turning aside is who acts in the thread; in a few words it asks for more of the quote
    ("thế còn việc khen người làm tốt thì họ tính sao?", False),
    ("the con viec khen nguoi lam tot thi ho tinh sao", False),
    ("ngoài ra họ còn giám sát gì nữa không?", True),
])
def test_a_drill_down_looks_in_the_last_quote_only_when_it_is_about_it(turn, anchored):
    from bot import frames

    framed = frames.read(turn)
    last = Turn(LAST.query, quoted=[("nc:3", 0, 40)], said="1.4. Phát huy vai trò của Hệ thống truyền thanh")
    query = understand(framed.core, Scope(), {}, frames=framed.frames)
    resolved = resolve(query, read_turn(framed.core, query, last), last)
    assert resolved.follow_up and bool(resolved.anchor) == anchored
    assert ("so" in resolved.words) == ("cơ sở" in turn)  # the place pointed at is no word asked about


@pytest.mark.parametrize("turn, own, leaned", [
    # a whole question of its own, asked in another place: that question there, not the last one's words too
    ("thế còn Đồng Nai dự tính áp dụng công nghệ gì để truyền thông?", {"ap", "dung", "cong", "nghe"}, False),
    ("the con Dong Nai du tinh ap dung cong nghe gi de truyen thong", {"ap", "dung", "cong"}, False),
    # a few words: the last question says what they are about
    ("còn Đồng Nai thì sao?", set(), True),
])
def test_a_place_switch_leans_on_the_last_question_only_when_it_asks_with_few_words(turn, own, leaned):
    from bot import frames

    framed = frames.read(turn)
    query = understand(framed.core, Scope({"dn"}, ["Đồng Nai"], {"dong", "nai"}), {}, frames=framed.frames)
    resolved = resolve(query, read_turn(framed.core, query, LAST), LAST)
    assert resolved.follow_up and own <= set(resolved.words)
    assert ("bao" in resolved.words) == leaned  # "báo cáo" of the last question
    assert ("when" in resolved.kinds) == leaned  # nor the kind of answer it wanted ("trước ngày nào")
    assert ("báo cáo" in resolved.content) == leaned  # nor what the unit vectors are compared with
    assert "the" not in resolved.words  # bare "thế còn" opens the turn; it is no "thẻ"


@pytest.mark.parametrize("turn", ["thôi quay lại nhé, Sở đó tuyên truyền gì?", "ok, quay lai: so do tuyen truyen gi",
                                  "thoi quay lai nha. so do tuyen truyen gi"])
def test_coming_back_to_the_thread_is_read_however_it_is_chained(turn):
    from bot import frames

    framed = frames.read(turn)
    assert frames.RETURN in framed.frames
    assert "quay" not in framed.core.lower() and "thôi" not in framed.core.lower()
