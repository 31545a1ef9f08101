"""The widget embedded on another origin and the chat page, in headless Chromium."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from e2e_data import PHONE

QUESTION = "Đồng Nai đặt mục tiêu bao nhiêu phần trăm người dân tiếp cận thông tin đến năm 2030?"


def open_widget(page, host_page):
    page.goto(host_page)
    bubble = page.get_by_role("button", name="Mở Hỏi đáp Nghị quyết 57")
    expect(bubble).to_be_visible()
    bubble.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    return bubble


def test_widget_answers_with_working_citation(page, host_page, server, shot):
    page.goto(host_page)
    bubble = page.get_by_role("button", name="Mở Hỏi đáp Nghị quyết 57")
    expect(bubble).to_be_visible()
    shot(page, "1-bubble-closed")
    bubble.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    shot(page, "2-widget-open")

    # The server's suggestions: each one a question its documents answer.
    page.get_by_role("group", name="Câu hỏi gợi ý").get_by_role("button").first.click()
    answer = page.locator(".msg.bot").filter(has=page.locator(".citations"))
    expect(answer).to_have_count(1)
    expect(answer.locator("blockquote").first).not_to_be_empty()
    shot(page, "4-widget-answer")

    link = answer.locator(".citations a").first
    href = link.get_attribute("href")
    assert href.startswith(f"{server}/documents/") and "#p-" in href
    page.goto(href)
    target = page.locator(f"#{href.split('#')[1]}")
    expect(target).to_be_visible()
    assert page.evaluate("document.querySelector(':target') !== null")


def test_keyboard_only_use_and_escape(page, host_page):
    page.goto(host_page)
    for _ in range(3):  # the host's two links, then the widget (last in the page)
        page.keyboard.press("Tab")
    bubble = page.get_by_role("button", name="Mở Hỏi đáp Nghị quyết 57")
    expect(bubble).to_be_focused()
    page.keyboard.press("Enter")
    box = page.get_by_label("Câu hỏi của bạn")
    expect(box).to_be_focused()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(page.get_by_role("log").locator(".citations a").first).to_be_visible()
    # Heard: the short answer and its number of sources, not every source line.
    sources = page.get_by_role("log").locator(".msg.bot").last.locator(".citations a").count()
    expect(page.get_by_role("status").first).to_have_text(re.compile(rf"^\S.*[:.”] {sources} nguồn trích dẫn\.$"))
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "off")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(bubble).to_be_focused()


def test_typing_state_then_answer(page, host_page, shot):
    held = []
    page.route("**/api/ask", lambda route: held.append(route))
    open_widget(page, host_page)
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator(".typing")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Đang tìm câu trả lời trong văn bản…")
    expect(page.get_by_role("button", name="Gửi")).to_be_disabled()
    shot(page, "3-widget-typing")
    held[0].continue_()
    expect(page.locator(".typing")).to_have_count(0)
    expect(page.locator(".citations")).to_have_count(1)


def test_connection_error_is_kind_and_retry_works(page, host_page, shot):
    page.route("**/api/ask", lambda route: route.abort())
    open_widget(page, host_page)
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Mất kết nối, vui lòng thử lại")
    shot(page, "5-widget-error")
    page.unroute("**/api/ask")
    alert.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".citations")).to_have_count(1)


def test_server_errors_are_shown_in_vietnamese(page, host_page):
    open_widget(page, host_page)
    page.get_by_label("Câu hỏi của bạn").fill("\x01\x02")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng nhập câu hỏi")


def test_hostile_document_text_is_shown_as_text(page, host_page):
    open_widget(page, host_page)
    page.get_by_label("Câu hỏi của bạn").fill("xssprobe")
    page.keyboard.press("Enter")
    quote = page.locator("blockquote").filter(has_text="xssprobe")
    expect(quote).to_contain_text("<script>")
    assert quote.locator("img, script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_feedback_buttons(page, host_page):
    open_widget(page, host_page)
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="👍 Hữu ích", exact=True).click()
    expect(page.get_by_text("Cảm ơn góp ý của bạn.")).to_be_visible()


def test_mobile_viewport_fills_screen(browser, host_page, shot):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale="vi-VN")
    page = context.new_page()
    open_widget(page, host_page)
    box = page.get_by_role("dialog").bounding_box()
    assert box["width"] >= PHONE["width"] and box["height"] >= PHONE["height"]
    page.get_by_role("group", name="Câu hỏi gợi ý").get_by_role("button").last.click()
    expect(page.locator(".citations")).to_have_count(1)
    shot(page, "6-mobile-answer")
    context.close()


def test_chat_page(page, server, shot):
    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nghị quyết 57")
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator(".citations a").first).to_be_visible()
    shot(page, "7-chat-page")
    assert page.locator(".citations a").first.get_attribute("target") == "_blank"


def test_a_vote_is_remembered_after_a_reload(page, host_page):
    open_widget(page, host_page)
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.get_by_role("button", name="Gửi").click()
    page.get_by_role("button", name="👍 Hữu ích").click()
    expect(page.get_by_text("Cảm ơn góp ý của bạn.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_text("Bạn đã góp ý cho câu trả lời này. Cảm ơn bạn.")).to_be_visible()
    expect(page.get_by_role("button", name="👍 Hữu ích")).to_have_count(0)
