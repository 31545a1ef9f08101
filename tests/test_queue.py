"""The staff queue (channels/web/queue.py): every way a citizen may not have been served reaches it, grouped by meaning,
a follow-up never joined to another question, a group served by a curated answer marked handled; Vietnamese labels."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.curated import CuratedAnswers
from channels.web.app import create_app
from channels.web.logs import ConversationLog
from channels.web.queue import REASONS, groups
from channels.web.vntime import today
from hoidap.config import Settings
from hoidap.models import Answer, Citation
from hoidap.store import Store
from hoidap.wiring import open_hoidap

TOKEN = "ma-quan-tri-hang-doi"
HOURS = "Giờ tiếp công dân của Sở Tư pháp là mấy giờ?"


def record(log: ConversationLog, question: str, status: str, session: str = "", text: str = "…") -> str:
    return log.record(question, Answer(status, text), session, "web")


@pytest.fixture
def log(tmp_path):
    return ConversationLog(Store(tmp_path / "log.sqlite"), retention_days=30)


def queue(log, curated=None):
    return {g.question: g for g in groups(log, today(), today(), curated)}


def test_declined_related_help_and_thumbs_down_each_reach_the_queue_with_a_vietnamese_reason(log):
    record(log, HOURS, "not_found")
    record(log, "Lương cơ sở năm 2026 là bao nhiêu?", "out_of_scope")
    record(log, "Đồng Nai hỗ trợ nông dân bán hàng online thế nào?", "related")
    record(log, "An Giang thì sao nhỉ, có gì mới?", "smalltalk")  # help text given to a question with content
    record(log, "Xin chào", "smalltalk")  # a greeting answered with a greeting: served
    answer_id = record(log, "Hà Tĩnh tuyên truyền NQ 57 bằng những hình thức nào?", "answered")
    log.add_feedback(answer_id, -1, "")
    record(log, "Nam Cường đặt mục tiêu gì năm 2030?", "answered")  # answered, nobody complained: served
    found = queue(log)
    assert {q: g.reasons for q, g in found.items()} == {
        HOURS: {REASONS["not_found"]},
        "Lương cơ sở năm 2026 là bao nhiêu?": {REASONS["out_of_scope"]},
        "Đồng Nai hỗ trợ nông dân bán hàng online thế nào?": {REASONS["related"]},
        "An Giang thì sao nhỉ, có gì mới?": {REASONS["help"]},
        "Hà Tĩnh tuyên truyền NQ 57 bằng những hình thức nào?": {REASONS["thumbs_down"]},
    }


def test_an_answer_asked_again_in_other_words_at_once_reaches_the_queue(log):
    record(log, "Kinh phí thực hiện kế hoạch ở Nam Cường lấy từ đâu?", "answered", session="s1")
    record(log, "Nam Cường lấy kinh phí thực hiện kế hoạch từ nguồn nào?", "answered", session="s1")
    record(log, "Đồng Nai có bao nhiêu mục tiêu?", "answered", session="s2")
    record(log, "Ai chủ trì việc đó?", "answered", session="s2")  # a follow-up, not the same asked again
    assert [g.reasons for g in queue(log).values()] == [{REASONS["rephrased"]}]


def test_wordings_of_one_question_form_one_group_and_a_follow_up_joins_none(log):
    for wording in (HOURS, "gio tiep cong dan cua so tu phap la may gio", "Cho em hỏi giờ tiếp công dân của Sở Tư pháp là "
                    "mấy giờ ạ?", "Giờ tiếp công dân của Sở Tư pháp là mấy giờ, đúng không?"):
        record(log, wording, "not_found")
    record(log, "Hà Tĩnh có bao nhiêu xã tham gia chuyển đổi số?", "not_found")
    record(log, "còn Hà Tĩnh thì sao?", "related")
    record(log, "con ha tinh thi sao", "related")
    found = queue(log)
    assert found[HOURS].count == 4 and len(found[HOURS].wordings) == 4
    assert found["Hà Tĩnh có bao nhiêu xã tham gia chuyển đổi số?"].count == 1
    assert found["còn Hà Tĩnh thì sao?"].count == 2
    assert len(found) == 3


def test_a_group_a_curated_answer_serves_is_marked_handled_and_listed_last(log, tmp_path):
    record(log, HOURS, "not_found")
    record(log, "gio tiep cong dan cua so tu phap la may gio", "not_found")
    record(log, "Lương cơ sở năm 2026 là bao nhiêu?", "out_of_scope")
    curated = CuratedAnswers(Store(tmp_path / "curated.sqlite"))
    curated.add(HOURS, "Sáng thứ Hai đến thứ Sáu, 7 giờ – 11 giờ.", source="Văn phòng Sở", by="Trần Thị B")
    listed = list(queue(log, curated).values())
    assert [(g.question, g.curated, g.handled_by) for g in listed] == [("Lương cơ sở năm 2026 là bao nhiêu?", "", ""),
                                                                       (HOURS, HOURS, "Trần Thị B")]


def test_the_queue_page_names_reasons_in_vietnamese_and_marks_handled_groups(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", embedder="none", admin_token=TOKEN, rate_limit_per_minute=1000)
    app = create_app(open_hoidap(settings))
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    record(app.state.log, HOURS, "not_found")
    record(app.state.log, "Lương cơ sở năm 2026 là bao nhiêu?", "out_of_scope")
    app.state.hoidap.answerer.curated.add(HOURS, "Sáng thứ Hai đến thứ Sáu.", source="Văn phòng Sở")
    page = client.get("/admin/queue").text
    assert "Không tìm thấy" in page and "Ngoài phạm vi" in page
    assert not any(code in page for code in ("not_found", "out_of_scope", "related"))
    assert page.count("Đã có câu trả lời soạn sẵn") == 1 and page.count("Soạn câu trả lời</a>") == 1
    csv_text = client.get("/admin/stats.csv?kind=unanswered").text
    assert "Ngoài phạm vi" in csv_text and "out_of_scope" not in csv_text


def test_a_thumbs_down_shows_staff_the_quote_the_citizen_read(log):
    quote = Citation("dongnai-ubnd-kh45", "", "", "", "", "IV.2", None, "Sở Khoa học và Công nghệ chủ trì", "")
    answer_id = log.record("Ai chủ trì việc này?", Answer("answered", "Theo Kế hoạch 45:", [quote]), "s", "web")
    log.add_feedback(answer_id, -1, "sai rồi")
    (group,) = queue(log).values()
    assert group.answer == "Theo Kế hoạch 45:\n“Sở Khoa học và Công nghệ chủ trì” (dongnai-ubnd-kh45, IV.2)"
