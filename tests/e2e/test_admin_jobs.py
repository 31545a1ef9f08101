"""An upload job followed on the admin page while staff go on typing: the jobs table and documents list update
without a page refresh, and the chosen file and typed fields stay."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from channels.web.app import create_app
from channels.web.jobs import Jobs
from e2e_data import ADMIN_TOKEN
from fakes.server import serve
from hoidap.config import Settings
from hoidap.versions import DocumentVersions
from hoidap.wiring import open_hoidap
from test_admin_workflows import log_in

DOC = "KẾ HOẠCH\nXã Phú Hòa lắp ki-ốt tra cứu thủ tục hành chính ở nhà văn hóa ấp trong năm 2026.\n"


@pytest.fixture(scope="module")
def queued_server(tmp_path_factory):
    """A web process that only queues uploads (HOIDAP_SERVE_JOBS=false): a worker, here the test, runs them."""
    tmp = tmp_path_factory.mktemp("jobs")
    settings = Settings(data_dir=tmp / "data", embedder="none", admin_token=ADMIN_TOKEN, serve_jobs=False)
    with serve(create_app(open_hoidap(settings))) as url:
        yield url, settings


def test_a_running_job_updates_its_table_and_keeps_what_staff_are_typing(page, queued_server, tmp_path):
    url, settings = queued_server
    log_in(page, url, ADMIN_TOKEN)
    source = tmp_path / "ki-ot-phu-hoa.txt"
    source.write_text(DOC, encoding="utf-8")
    page.get_by_label("Tệp").set_input_files(str(source))
    page.get_by_role("button", name="Nạp văn bản").click()
    jobs = page.locator("#jobs")
    expect(jobs).to_contain_text("đang chờ")

    second = tmp_path / "ban-thu-hai.txt"
    second.write_text(DOC.replace("Phú Hòa", "Tân Phú"), encoding="utf-8")
    page.get_by_label("Tệp").set_input_files(str(second))  # staff prepare the next upload meanwhile
    page.get_by_label("Số hiệu").fill("12/KH-UBND")
    page.wait_for_timeout(7000)  # two polls of the page
    worker = open_hoidap(settings, seed=False)
    threading.Thread(target=Jobs(worker, DocumentVersions(worker.store)).drain).start()
    expect(jobs).to_contain_text("xong", timeout=20_000)
    expect(page.locator("#docs")).to_contain_text("ki-ot-phu-hoa")
    assert page.get_by_label("Số hiệu").input_value() == "12/KH-UBND"
    assert page.get_by_label("Tệp").evaluate("input => input.files[0].name") == "ban-thu-hai.txt"
