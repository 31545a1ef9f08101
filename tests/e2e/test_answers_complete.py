"""Answers as a citizen reads them on a phone and a desktop: a target list quoted whole (its last item lies in the
next passage), and two unnumbered plans of one office told apart in the answer, its sources and /documents."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from test_chat_experience import ask


def test_the_2030_target_list_is_quoted_whole(device, server):
    _, page = device
    page.goto(server + "/")
    answer = ask(page, "Đồng Nai đặt mục tiêu gì đến năm 2030?")
    quotes = " ".join(answer.locator("blockquote").all_inner_texts())
    for item in ("4. Năm 2030", "a) 100% các nhiệm vụ", "b) Ít nhất 80%", "c) Ít nhất 70%"):
        assert item in quotes, (item, quotes)


def test_two_plans_of_one_office_are_told_apart(device, server):
    _, page = device
    page.goto(server + "/")
    answer = ask(page, "Sở Tư pháp An Giang làm gì để thực hiện Nghị quyết 71/NQ-CP?")
    expect(answer.locator("p.text")).to_contain_text("Nghị quyết số 71/NQ-CP")
    expect(answer.locator(".citations a").first).to_contain_text("Nghị quyết số 71/NQ-CP")
    page.goto(server + "/documents")
    names = page.get_by_role("link", name=re.compile("^KẾ HOẠCH – Triển khai thực hiện (Nghị quyết|Quyết định)"))
    expect(names).to_have_count(2)
    assert len(set(names.all_inner_texts())) == 2
