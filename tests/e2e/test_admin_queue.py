"""The unanswered-questions loop in headless Chromium: a declined, a related, a help-text and a 👎 question each reach
the queue with their reason, a question's paraphrase and its twin without diacritics in its group; a curated answer
written from the group serves the citizen in both spellings and marks the group handled."""
from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import expect

from test_admin_workflows import ask, log_in

DECLINED = "Lương cơ sở năm 2026 của cán bộ xã là bao nhiêu?"
TWINS = ["luong co so nam 2026 cua can bo xa la bao nhieu", "Cho em hỏi lương cơ sở năm 2026 của cán bộ xã là bao nhiêu ạ?"]
RELATED = "Nam Cường có chương trình gì cho người cao tuổi?"
HELP = "thế nào nhỉ?"
THUMBS_DOWN = "Hà Tĩnh dùng mạng xã hội gì để tuyên truyền?"


def vote(server, answer_id: str, rating: int) -> None:
    body = json.dumps({"answer_id": answer_id, "rating": rating, "comment": "chưa đúng"}).encode()
    request = urllib.request.Request(server + "/api/feedback", data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).close()


def test_every_unserved_question_reaches_the_queue_and_a_curated_answer_closes_its_group(page, server, admin_token):
    assert ask(server, DECLINED)["status"] in ("not_found", "out_of_scope")
    for twin in TWINS:
        ask(server, twin)
    assert ask(server, RELATED)["status"] == "related"
    assert ask(server, HELP)["status"] == "smalltalk"
    vote(server, ask(server, THUMBS_DOWN)["answer_id"], -1)

    log_in(page, server, admin_token)
    page.get_by_role("link", name="Câu hỏi chờ xử lý").click()
    rows = page.locator("tbody tr")
    for question, reason in ((RELATED, "Chỉ đưa đoạn gần nhất"), (HELP, "Chỉ đưa lời hướng dẫn"),
                             (THUMBS_DOWN, "Bị đánh giá 👎")):
        expect(rows.filter(has_text=question)).to_contain_text(reason)
    group = rows.filter(has_text=DECLINED)
    expect(group).to_have_count(1)
    for twin in TWINS:
        expect(group).to_contain_text(twin)  # one group, its other wordings listed under it

    group.get_by_role("link", name="Soạn câu trả lời").click()
    expect(page.get_by_label("Câu hỏi", exact=True)).to_have_value(DECLINED)
    page.get_by_label("Câu trả lời", exact=True).fill("Mức lương cơ sở do Chính phủ quy định, không thuộc kế hoạch này.")
    page.get_by_label("Nguồn khác").fill("Văn phòng Sở")
    page.get_by_role("button", name="Lưu câu trả lời").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm câu trả lời soạn sẵn")
    for spelling in (DECLINED, TWINS[0]):
        answer = ask(server, spelling)
        assert answer["status"] == "answered" and "Chính phủ quy định" in answer["text"], answer

    page.get_by_role("link", name="Câu hỏi chờ xử lý").click()
    handled = page.locator("tbody tr").filter(has_text=DECLINED)
    expect(handled).to_contain_text("Đã có câu trả lời soạn sẵn (Trần Thị B)")  # and who wrote it
    expect(handled.get_by_role("link", name="Soạn câu trả lời")).to_have_count(0)
