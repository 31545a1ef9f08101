"""Phone layouts (390×844): the chat input on the first screen with one scroll area, the widget within the screen,
admin pages no wider than the screen (a wide table scrolls inside itself)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e_data import PHONE
from test_admin_workflows import log_in


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_the_chat_page_shows_its_input_on_the_first_screen_and_scrolls_only_its_log(phone, server):
    phone.goto(server + "/")
    box = phone.get_by_label("Câu hỏi của bạn").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    for _ in range(4):  # enough answers to overflow the log
        phone.get_by_label("Câu hỏi của bạn").fill("Đồng Nai đặt mục tiêu gì đến năm 2030?")
        phone.get_by_role("button", name="Gửi").click()
        expect(phone.get_by_role("button", name="Gửi")).to_be_enabled()
    assert phone.evaluate("document.documentElement.scrollHeight") <= PHONE["height"]
    assert phone.get_by_label("Câu hỏi của bạn").bounding_box()["y"] < PHONE["height"]
    assert phone.evaluate("(() => { const r = document.querySelector('#hoidap-chat').shadowRoot;"
                          " const log = r.querySelector('[role=log]'); return log.scrollHeight > log.clientHeight; })()")


def test_the_widget_panel_fits_the_phone_screen(phone, host_page):
    phone.goto(host_page)
    phone.get_by_role("button", name="Mở Hỏi đáp Nghị quyết 57").click()
    box = phone.get_by_role("dialog").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] and box["width"] <= PHONE["width"], box
    expect(phone.get_by_text("Không nhập số CCCD")).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/admin", "/admin/queue", "/admin/curated", "/admin/stats", "/documents"])
def test_admin_pages_are_no_wider_than_a_phone(phone, server, admin_token, path):
    log_in(phone, server, admin_token)
    phone.goto(server + path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
