"""The citizen's chat experience (issue 11), on a desktop (1366×900) and a phone (390×844) in headless Chromium:
the answer first with short numbered sources, clean quotes, no dead end, a conversation that follows the
visitor across the host site, feedback, accessibility (axe-core) and hostile document metadata."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from e2e_data import ADMIN_TOKEN, CONTACT, XSS_META

QUESTION = "Đồng Nai đặt mục tiêu bao nhiêu phần trăm người dân tiếp cận thông tin đến năm 2030?"
EMPHASIS_QUESTION = "Tinh thần 5 rõ 3 dám là gì?"  # its quote holds “*5 rõ, 3 dám*” in the source text
GIAO_QUESTION = "Văn phòng Sở được giao nhiệm vụ gì?"  # "Tuyên giáo" sits in a quote it cites
OUT_OF_SCOPE = "giá vàng hôm nay"
LABEL = re.compile(r"^\[1\] KH 45/KH-UBND · UBND tỉnh Đồng Nai · 12/8/2025 · mục [IVX]+\.\d")
STOP_WORDS = {"có", "hiện", "năm", "các", "những", "và", "của", "được", "nào"}


def widget(page):
    return page.locator("#hoidap57-widget")


def open_widget(page, url):
    page.goto(url)
    page.get_by_role("button", name="Mở Hỏi đáp Nghị quyết 57").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("group", name="Câu hỏi gợi ý").first).to_be_visible()


def ask(page, question):
    expect(page.locator(".msg.bot").first).to_be_attached()  # the greeting (or the kept conversation) is in
    before = page.locator(".msg.bot").count()
    page.get_by_label("Câu hỏi của bạn").fill(question)
    page.get_by_label("Câu hỏi của bạn").press("Enter")
    expect(page.locator(".msg.bot:not(.typing)")).to_have_count(before + 1)
    return page.locator(".msg.bot").last


def admin_login(page, server):
    page.goto(server + "/admin/login")
    page.get_by_label("Mã quản trị").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Quản lý văn bản")).to_be_visible()


def test_answer_first_then_numbered_short_sources(device, server, shot):
    name, page = device
    page.goto(server + "/")
    answer = ask(page, QUESTION)
    expect(answer.locator("p.text")).to_have_text(re.compile(r"\S"))  # the answerer's first line
    source = answer.locator(".citations a").first
    expect(source).to_have_text(LABEL)
    title = source.get_attribute("title")  # the full source, as a tooltip
    assert "Triển khai Chương trình" in title and len(title) > 200
    more = answer.locator("details.more")
    expect(more).not_to_have_attribute("open", "")
    expect(more.locator(".snippet").first).to_be_hidden()
    more.locator("summary").click()
    snippet = more.locator(".snippet").first
    expect(snippet).to_be_visible()
    line = float(snippet.evaluate("n => parseFloat(getComputedStyle(n).lineHeight)"))
    assert snippet.bounding_box()["height"] < 1.5 * line  # one line
    expect(more.locator("a").first).to_have_text(re.compile(r"·"))
    shot(page, f"11-answer-{name}")

    href = source.get_attribute("href")
    page.goto(href)  # the document page: full title, heading path and the quoted sentence in view
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triển khai Chương trình")
    target = page.locator(".passage:target")
    expect(target.locator(".path")).to_be_in_viewport()
    expect(target.locator("mark.quoted")).to_be_in_viewport()
    marked, (start, end) = " ".join(target.locator("mark.quoted").inner_text().split()), quoted_range_of(href)
    assert marked.startswith(start) and marked.endswith(end), (marked, start, end)  # the whole quote marked
    shot(page, f"12-document-{name}")


def quoted_range_of(href: str) -> tuple[str, str]:
    """The quote's opening and closing words a citation link carries (its closing words are its opening ones when
    the quote is short)."""
    from urllib.parse import parse_qs, urlsplit
    query = parse_qs(urlsplit(href).query)
    return query["q"][0], query.get("to", query["q"])[0]


def test_quotes_are_clean_and_highlight_content_words_only(device, server):
    _, page = device
    page.goto(server + "/")
    ask(page, EMPHASIS_QUESTION)
    ask(page, GIAO_QUESTION)
    ask(page, QUESTION)
    quotes = page.locator("blockquote")
    assert quotes.count() >= 3
    assert all("*" not in text for text in quotes.all_inner_texts())
    expect(page.locator("mark", has_text="5 rõ").first).to_be_visible()  # the mark moved with its words
    marks = [m.strip().lower() for m in page.locator("mark").all_inner_texts()]
    assert marks and not STOP_WORDS & set(marks), marks
    assert "giáo" not in " ".join(marks).split() and "giao" in " ".join(marks).split()
    # the document page and its headings show no emphasis markers either
    page.goto(page.locator(".citations a").first.get_attribute("href"))
    assert "*" not in page.locator("main").inner_text()
    page.goto(server + "/documents/angiang-stp-nq71")
    assert "*" not in page.locator("main").inner_text()
    expect(page.locator(".meta")).not_to_contain_text("ngày tháng")  # draft blanks are not details
    expect(page.locator(".meta")).not_to_contain_text("/KH-STP")


def test_no_dead_end(device, server, shot):
    name, page = device
    page.goto(server + "/")
    reply = ask(page, OUT_OF_SCOPE)
    expect(page.locator(".suggestions").last.get_by_role("button").first).to_be_visible()
    expect(reply.get_by_role("link", name="Gọi 0296 3852 123")).to_have_attribute("href", "tel:02963852123")
    expect(reply.get_by_role("link", name=CONTACT["contact_email"])).to_have_attribute(
        "href", "mailto:" + CONTACT["contact_email"])
    expect(reply.get_by_role("link", name="Trang liên hệ")).to_have_attribute("href", CONTACT["contact_url"])
    expect(reply).to_contain_text(CONTACT["contact_hours"])
    assert reply.locator(".vote").count() == 0  # no votes on a refusal
    shot(page, f"13-no-dead-end-{name}")
    documents = reply.get_by_role("link", name="Danh sách văn bản")
    expect(documents).to_have_attribute("href", server + "/documents")
    page.goto(server + "/documents")
    links = page.locator("main a[href^='/documents/']")
    assert links.count() >= 5
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_conversation_follows_the_visitor_across_the_host_site(device, host_site, shot):
    name, page = device
    open_widget(page, host_site + "index.html")
    ask(page, QUESTION)
    page.goto(host_site + "page2.html")  # another page of the Sở site: open, with the same conversation
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".msg.user")).to_have_text([QUESTION])
    expect(page.locator(".citations a").first).to_have_text(LABEL)
    ask(page, "Ở Hà Tĩnh thì sao?")  # the follow-up goes out with the kept session
    shot(page, f"14-kept-conversation-{name}")
    page.reload()
    expect(page.locator(".msg.user")).to_have_count(2)
    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.get_by_role("group", name="Câu hỏi gợi ý")).to_be_visible()
    page.goto(host_site + "index.html")
    expect(page.locator(".msg.user")).to_have_count(0)


def test_left_widget_leaves_the_right_corner_to_the_host(device, host_site):
    name, page = device
    page.goto(host_site + "left.html")
    bubble = page.get_by_role("button", name="Mở Hỏi đáp Nghị quyết 57")
    expect(bubble).to_contain_text("Hỏi trợ lý")  # the teaser label
    box = bubble.bounding_box()
    assert box["x"] == 24 and box["x"] + box["width"] < page.viewport_size["width"] / 2
    top = page.get_by_role("button", name="Lên đầu")
    top.click(timeout=2000)  # nothing covers the host's own corner button
    if name == "desktop":
        bubble.click()
        panel = page.get_by_role("dialog").bounding_box()
        corner = top.bounding_box()
        assert panel["x"] + panel["width"] < corner["x"]
        top.click(timeout=2000)


def test_thumbs_down_comment_reaches_the_admin_log(device, server, host_site):
    _, page = device
    open_widget(page, host_site + "index.html")
    greeting = ask(page, "Xin chào")
    assert greeting.locator(".vote").count() == 0  # votes on answers only
    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="👎 Chưa đúng").click()
    box = answer.get_by_label("Câu trả lời chưa đúng ở đâu? (không bắt buộc)")
    expect(box).to_be_focused()
    comment = f"Thiếu thời hạn cụ thể ({page.viewport_size['width']})"
    box.fill(comment)
    answer.get_by_role("button", name="Gửi góp ý").click()
    expect(answer.get_by_text("Cảm ơn góp ý của bạn.")).to_be_visible()
    admin_login(page, server)
    page.goto(server + "/admin/stats")
    row = page.locator("tr", has_text=comment)
    expect(row).to_contain_text("👎")
    expect(row).to_contain_text(QUESTION)


def test_copy_and_text_size(device, host_site):
    _, page = device
    open_widget(page, host_site + "index.html")
    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="Sao chép câu trả lời").click()
    expect(answer.get_by_role("button", name="Đã sao chép")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1] KH 45/KH-UBND" in copied and "/documents/dongnai-ubnd-kh45" in copied and "“" in copied
    panel = page.get_by_role("dialog")
    size = lambda: panel.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")  # noqa: E731
    before = size()
    page.get_by_role("button", name="A+ chữ lớn hơn").click()
    assert size() > before
    page.reload()
    assert size() > before  # kept for the next visit
    page.get_by_role("button", name="A− chữ nhỏ hơn").click()
    assert size() == before
    expect(panel).to_contain_text("Không nhập số CCCD, số điện thoại")


@pytest.mark.parametrize("device", ["phone"], indirect=True)  # on a desktop the panel is a side window
def test_phone_dialog_traps_focus(device, host_site):
    _, page = device
    open_widget(page, host_site + "index.html")
    ask(page, QUESTION)
    inside = "() => document.activeElement && document.activeElement.id === 'hoidap57-widget'"
    for key in ["Tab"] * 25 + ["Shift+Tab"] * 25:
        page.keyboard.press(key)
        assert page.evaluate(inside), key
    expect(page.get_by_role("dialog")).to_have_attribute("aria-modal", "true")


def test_widget_root_is_vietnamese_on_an_english_page(page, host_site):
    open_widget(page, host_site + "en.html")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(widget(page)).to_have_attribute("lang", "vi")
    # The host's own landmarks only (role queries look inside the widget's shadow root too).
    assert [page.get_by_role(role).count() for role in ("banner", "navigation", "main", "region", "complementary")] \
        == [1, 1, 1, 0, 0]


def test_axe_finds_no_violations(device, server, host_site, axe):
    name, page = device
    checked = []

    def check(label):
        violations = axe(page)
        checked.append(label)
        assert violations == [], (label, violations)

    page.goto(server + "/")
    ask(page, QUESTION)
    page.locator("details.more summary").first.click()
    check("chat page with an answer")
    ask(page, OUT_OF_SCOPE)
    check("chat page with a refusal")
    page.goto(page.locator(".citations a").first.get_attribute("href"))
    check("document page")
    page.goto(server + "/documents")
    check("document list")
    page.goto(server + "/admin/login")
    check("admin login")
    admin_login(page, server)
    check("admin documents")
    for path in ("/admin/stats", "/admin/curated"):
        page.goto(server + path)
        check(path)
    open_widget(page, host_site + "index.html")
    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="👎 Chưa đúng").click()
    check("host page with the widget open")
    assert len(checked) == 9


def test_hostile_document_metadata_stays_text(device, server, host_site):
    _, page = device
    open_widget(page, host_site + "index.html")
    answer = ask(page, "xssprobe")
    quote = answer.locator("blockquote").first
    expect(quote).to_contain_text("<script>")
    source = answer.locator(".citations a").first
    expect(source).to_contain_text("<b onclick=")  # the số hiệu, as text
    assert "<script>" in source.get_attribute("title") and "<img" in source.get_attribute("title")
    assert answer.locator("img, script, b, i, u, svg:not([aria-hidden])").count() == 0
    page.goto(source.get_attribute("href"))
    main = page.locator("main")
    for value in ("<img src=x", "<script>window.__pwned = 1</script>", '<b onclick="window.__pwned = 1">X</b>'):
        expect(main).to_contain_text(value)
    expect(page.locator("h1")).to_have_text(XSS_META["title"])
    assert main.locator("img, script, b, i, u, svg").count() == 0
    page.goto(server + "/documents")
    expect(page.locator("main")).to_contain_text(XSS_META["title"])
    assert page.locator("main").locator("img, script, b, i, u, svg").count() == 0
    assert page.evaluate("window.__pwned") is None
