"""Real servers for browser tests: the app on one port, a citizen-facing host page on another."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from channels.web.app import create_app
from fakes.server import serve
from hoidap.config import ROOT, Settings
from hoidap.wiring import open_hoidap

CHROMIUM = Path("/usr/bin/chromium")
ADMIN_TOKEN = "e2e-admin-token-dai"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
XSS_DOC = """KẾ HOẠCH
Về thử nghiệm an toàn hiển thị

I. MỤC ĐÍCH
Thử nghiệm xssprobe <script>window.__pwned = 1</script> và <img src=x onerror="window.__pwned = 1"> trong văn bản.
"""

if not CHROMIUM.exists():
    pytest.skip("cần Chromium tại /usr/bin/chromium (apt-get install -y chromium) cho kiểm thử trình duyệt",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="cần gói playwright (pip install playwright)")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app under uvicorn on 127.0.0.1, seeded with the bundled corpus plus a hostile document."""
    tmp = tmp_path_factory.mktemp("e2e")
    settings = Settings(data_dir=tmp / "data", embedder="none", rate_limit_per_minute=1000, admin_token=ADMIN_TOKEN)
    hoidap = open_hoidap(settings)
    (tmp / "xss.txt").write_text(XSS_DOC, encoding="utf-8")
    hoidap.ingest([tmp / "xss.txt"])
    with serve(create_app(hoidap)) as url:
        yield url


@pytest.fixture
def admin_token() -> str:
    return ADMIN_TOKEN


@pytest.fixture(scope="session")
def host_page(server, tmp_path_factory):
    """A page on another origin that embeds the widget with the one documented line."""
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text(f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sở Khoa học và Công nghệ</title><style>body {{ font: 16px serif; margin: 2rem; }} button {{ color: red; }}</style>
</head><body><h1>Cổng thông tin Sở</h1><p>Trang thử nghiệm nhúng trợ lý hỏi đáp.</p>
<script src="{server}/widget.js" data-title="Hỏi đáp Nghị quyết 57" data-color="#8a1538"></script>
</body></html>""", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free one, no race
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/index.html"
    httpd.shutdown()


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop: release it before other tests
def browser():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def shot():
    """Save one screenshot per UI state under artifacts/screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
