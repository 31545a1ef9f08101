"""Real servers for browser tests: the app on one port, a citizen-facing host page on another."""
from __future__ import annotations

from pathlib import Path

import pytest

from channels.web.app import create_app
from fakes.server import serve, serve_folder
import json

from hoidap.config import ROOT, Settings
from hoidap.wiring import open_hoidap
from e2e_data import ADMIN_TOKEN, CONTACT, DESKTOP, PHONE, XSS_META

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"  # scripts/test.sh installs it
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
    settings = Settings(data_dir=tmp / "data", embedder="none", rate_limit_per_minute=1000, admin_token=ADMIN_TOKEN,
                        **CONTACT)
    hoidap = open_hoidap(settings)
    (tmp / "xss.txt").write_text(XSS_DOC, encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps({"xss.txt": {"id": "xss", **XSS_META}}), encoding="utf-8")
    hoidap.ingest([tmp / "xss.txt"])
    with serve(create_app(hoidap)) as url:
        yield url


@pytest.fixture
def admin_token() -> str:
    return ADMIN_TOKEN


HOST_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>body {{ font: 16px serif; margin: 2rem; }} button {{ color: red; }}
#top {{ position: fixed; right: 16px; bottom: 16px; width: 64px; height: 64px; color: #000; }}</style>
</head><body><header><h1>Cổng thông tin Sở</h1><nav><a href="index.html">Trang chủ</a> <a href="page2.html">Tin tức</a></nav>
</header><main><h2>{title}</h2><p>Trang thử nghiệm nhúng trợ lý hỏi đáp.</p></main>{extra}
<script src="{server}/widget.js" data-title="Hỏi đáp Nghị quyết 57" data-color="#8a1538"{options}></script>
</body></html>"""


@pytest.fixture(scope="session")
def host_site(server, tmp_path_factory):
    """A Sở site on another origin that embeds the widget with the one documented line, on several pages:
    index.html and page2.html (the same site), left.html (the widget on the left, the site's own
    back-to-top button in the right corner), en.html (a page tagged English)."""
    site = tmp_path_factory.mktemp("site")
    pages = {"index": ("vi", "Trang chủ", "", ""), "page2": ("vi", "Tin tức", "", ""),
             "left": ("vi", "Trang chủ", '<button id="top" type="button">Lên đầu</button>',
                      ' data-position="left" data-offset="24" data-teaser="Hỏi trợ lý"'),
             "en": ("en", "Home", "", "")}
    for name, (lang, title, extra, options) in pages.items():
        (site / f"{name}.html").write_text(HOST_PAGE.format(lang=lang, title=title, extra=extra, server=server,
                                                            options=options), encoding="utf-8")
    with serve_folder(site) as url:
        yield url


@pytest.fixture(scope="session")
def host_page(host_site):
    return host_site + "index.html"


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop: release it before other tests
def browser():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


def check_errors(page) -> list[str]:
    """Collect the page's script errors and dialogs (an injected alert would show up here)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    return errors


@pytest.fixture(params=["desktop", "phone"])
def device(request, browser):
    """A fresh page on a desktop (1366×900) or a phone (390×844); axe-core may be injected (bypass_csp)."""
    phone = request.param == "phone"
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone,
                                  locale="vi-VN", bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = check_errors(page)
    yield request.param, page
    context.close()
    assert not errors, errors


@pytest.fixture
def axe():
    """Run axe-core (WCAG 2.x A/AA, best practices, label-in-name) on a page; return its violations."""
    if not AXE.exists():
        pytest.skip(f"cần axe-core tại {AXE} (npm install --prefix tests/e2e/node axe-core, scripts/test.sh làm sẵn)")
    source = AXE.read_text(encoding="utf-8")

    def run(page) -> list[dict]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=source)
        return page.evaluate("""async () => {
            const result = await axe.run(document, {rules: {"label-content-name-mismatch": {enabled: true}}});
            return result.violations.map(v => ({id: v.id, help: v.help,
                                                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }""")
    return run


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    errors = check_errors(page)
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def shot():
    """Save one screenshot per UI state under artifacts/screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
