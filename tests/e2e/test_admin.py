"""Staff admin in headless Chromium: log in, upload a document with metadata, see it answer, see statistics."""
from __future__ import annotations

from playwright.sync_api import expect

DOC = "KẾ HOẠCH\nThí điểm ki-ốt số\n\nI. MỤC ĐÍCH\nLắp đặt ki-ốt tra cứu thủ tục hành chính tại nhà văn hóa ấp Phú Hòa.\n"


def test_login_upload_and_statistics(page, server, tmp_path, shot, admin_token):
    page.goto(server + "/admin")
    expect(page.get_by_role("heading", name="Đăng nhập quản trị")).to_be_visible()
    page.get_by_label("Mã quản trị").fill("sai-ma")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Mã quản trị không đúng.")
    page.get_by_label("Mã quản trị").fill(admin_token)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Quản lý văn bản")).to_be_visible()
    assert page.evaluate("document.cookie") == ""  # HttpOnly: scripts cannot read the session

    source = tmp_path / "ki-ot-so.txt"
    source.write_text(DOC, encoding="utf-8")
    page.get_by_label("Tệp").set_input_files(str(source))
    page.get_by_label("Số hiệu").fill("7/KH-UBND")
    page.get_by_label("Cơ quan ban hành").fill("UBND xã Phú Hòa")
    page.get_by_role("button", name="Nạp văn bản").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm văn bản ki-ot-so")
    shot(page, "8-admin-upload")

    page.goto(server + "/")
    page.get_by_label("Câu hỏi của bạn").fill("ki-ốt tra cứu thủ tục ở ấp Phú Hòa")
    page.keyboard.press("Enter")
    expect(page.locator(".citations a").first).to_contain_text("7/KH-UBND")

    page.goto(server + "/admin/stats")
    expect(page.get_by_role("heading", name="Thống kê hỏi đáp")).to_be_visible()
    shot(page, "9-admin-stats")
