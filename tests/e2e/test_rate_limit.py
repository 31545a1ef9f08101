"""The rate limit as a citizen meets it: page loads do not use up questions; a refused question can be asked again,
even after a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from channels.web.app import create_app
from e2e_data import DESKTOP
from fakes.server import serve, serve_folder
from hoidap.config import Settings
from hoidap.wiring import open_hoidap

QUESTIONS_PER_MINUTE = 2
QUESTION = "Đồng Nai đặt mục tiêu bao nhiêu phần trăm người dân tiếp cận thông tin đến năm 2030?"


@pytest.fixture(scope="module")
def host_page(tmp_path_factory):
    """A Sở page embedding the widget of a server that takes 2 questions a minute from one address."""
    tmp = tmp_path_factory.mktemp("limited")
    hoidap = open_hoidap(Settings(data_dir=tmp / "data", embedder="none", rate_limit_per_minute=QUESTIONS_PER_MINUTE))
    with serve(create_app(hoidap)) as url:
        (tmp / "index.html").write_text(
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Sở</title></head><body><main>'
            f'<h1>Trang chủ</h1></main><script src="{url}/widget.js" data-title="Hỏi đáp"></script></body></html>',
            encoding="utf-8")
        with serve_folder(tmp) as site:
            yield site + "index.html"


def ask(page, question: str) -> None:
    page.get_by_label("Câu hỏi của bạn").fill(question)
    page.get_by_role("button", name="Gửi").click()


def test_page_loads_leave_the_questions_and_a_refused_one_is_asked_again_after_a_reload(browser, host_page):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    for _ in range(20):  # a citizen browsing the Sở's site: every page load reads suggestions and contact
        page.goto(host_page)
        expect(page.get_by_role("button", name="Mở Hỏi đáp")).to_be_visible()
    page.get_by_role("button", name="Mở Hỏi đáp").click()
    log = page.get_by_role("log")
    for n in range(1, QUESTIONS_PER_MINUTE + 1):
        ask(page, QUESTION)
        expect(log.locator(".citations")).to_have_count(n)
    ask(page, QUESTION)  # one too many this minute
    error = log.locator(".msg.error")
    expect(error).to_contain_text("Vui lòng chờ một phút")
    expect(error.get_by_role("button", name="Thử lại")).to_be_visible()

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # left open: it opens again
    expect(log.locator(".citations")).to_have_count(QUESTIONS_PER_MINUTE)  # the answers kept
    unanswered = log.locator(".msg.error")
    expect(unanswered).to_have_count(1)
    expect(unanswered).to_contain_text("chưa được trả lời")
    # Asked again once the minute has passed (here: the retry is answered 429 again, and says so, no answer lost)
    unanswered.get_by_role("button", name="Thử lại").click()
    expect(log.locator(".msg.error")).to_contain_text("Vui lòng chờ một phút")
    expect(log.locator(".msg.user")).to_have_count(QUESTIONS_PER_MINUTE + 1)
    context.close()
