"""The files shipped under deploy/ are the ones that run: the env file names only real settings, the systemd units
start commands the CLI accepts, and the nginx site, rendered with test ports and a self-signed certificate made
here, passes `nginx -t` and serves a real replica over HTTPS (scripts/test.sh installs nginx and openssl)."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from dotenv import dotenv_values

from fakes.server import free_port, wait_healthy
from hoidap.config import ROOT, Settings

DEPLOY = ROOT / "deploy"
QUESTION = "Sở Tư pháp An Giang báo cáo kết quả thực hiện Nghị quyết 71 khi nào?"


def test_the_env_file_names_only_real_settings_and_loads():
    values = dotenv_values(DEPLOY / "hoidap.env")
    unknown = [k for k in values if k.startswith("HOIDAP_") and k.removeprefix("HOIDAP_").lower() not in Settings.model_fields]
    assert unknown == []
    assert set(values) - {k for k in values if k.startswith("HOIDAP_")} == {"FORWARDED_ALLOW_IPS", "OMP_NUM_THREADS",
                                                                              "OMP_WAIT_POLICY"}
    settings = Settings(_env_file=DEPLOY / "hoidap.env")
    assert settings.database_url.startswith("postgresql://") and settings.corpus_dir is None  # production starts empty
    assert not settings.serve_jobs and settings.admin_token


@pytest.mark.parametrize("unit, command", [("hoidap.service", "serve"), ("hoidap-worker.service", "worker")])
def test_the_systemd_units_start_commands_the_cli_accepts(unit, command):
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/hoidap/env" in text
    argv = shlex.split(re.search(r"^ExecStart=(.+)$", text, re.MULTILINE).group(1))
    assert argv[0].endswith("/bin/hoidap") and argv[1] == command
    help_text = subprocess.run([sys.executable, "-m", "hoidap.cli", command, "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0
    for option in (a for a in argv[2:] if a.startswith("--")):
        assert option in help_text.stdout


def render_site(folder: Path, replicas: list[int], plain: int, tls: int) -> Path:
    """deploy/nginx/hoidap.conf with the test's ports and certificate, inside a main config of its own."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hoidap.test",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "hoidap.conf").read_text(encoding="utf-8")
    servers = iter(replicas)
    site = re.sub(r"server 10\.0\.0\.\d+:8057", lambda m: f"server 127.0.0.1:{next(servers)}", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};").replace("listen 443 ", f"listen 127.0.0.1:{tls} ")
    site = site.replace("/etc/ssl/hoidap/fullchain.pem", str(folder / "cert.pem"))
    site = site.replace("/etc/ssl/hoidap/privkey.pem", str(folder / "key.pem"))
    assert next(servers, None) is None  # every replica placed
    (folder / "hoidap.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(f"""error_log {folder}/error.log warn;
pid {folder}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    include {folder}/hoidap.conf;
}}
""", encoding="utf-8")
    return main


def client(address: str) -> httpx.Client:
    """A client connecting from `address` (127.0.0.x): to nginx, another machine."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address, verify=False), timeout=30)


def until_up(request, process: subprocess.Popen, seconds: float = 20) -> httpx.Response:
    """`request()` once nginx accepts connections; fails with its output if it exits first."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, process.stdout.read()
        try:
            return request()
        except httpx.ConnectError:
            assert time.monotonic() < deadline, f"nginx did not start within {seconds:.0f} s"
            time.sleep(0.2)


def test_the_shipped_nginx_site_serves_a_replica_over_https(tmp_path, corpus):
    replica, dead, plain, tls = (free_port() for _ in range(4))  # `dead`: a second replica that is down
    main = render_site(tmp_path, [replica, dead], plain, tls)
    checked = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "HOIDAP_DATA_DIR": str(tmp_path / "data"),
           "HOIDAP_CORPUS_DIR": str(corpus), "HOIDAP_EMBEDDER": "none", "HOIDAP_RATE_LIMIT_PER_MINUTE": "3"}
    processes = [subprocess.Popen([sys.executable, "-m", "hoidap.cli", "serve", "--port", str(replica)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)]
    try:
        wait_healthy(f"http://127.0.0.1:{replica}", processes[0])
        processes.append(subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(main), "-g", "daemon off;"],
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        site = f"https://127.0.0.1:{tls}"
        with client("127.0.0.2") as one, client("127.0.0.3") as other:
            health = until_up(lambda: one.get(f"{site}/healthz"), processes[1])
            assert health.status_code == 200 and health.json()["pid"] == processes[0].pid
            # plain HTTP only redirects to HTTPS
            redirect = one.get(f"http://127.0.0.1:{plain}/chat?x=1")
            assert redirect.status_code == 301 and redirect.headers["location"] == "https://127.0.0.1/chat?x=1"
            # the dead replica is passed over: every question is answered
            answers = [one.post(f"{site}/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": f"10.9.9.{i}"})
                       for i in range(3)]
            assert [a.status_code for a in answers] == [200, 200, 200]
            assert answers[0].json()["citations"][0]["doc_id"] == "angiang-stp-kh-nq71"
            # X-Forwarded-For is set by nginx, not appended: naming another address does not reset the limit ...
            spoofed = one.post(f"{site}/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": "10.9.9.99"})
            assert spoofed.status_code == 429 and "Retry-After" in spoofed.headers
            # ... while another client behind the proxy has its own
            assert other.post(f"{site}/api/ask", json={"question": QUESTION}).status_code == 200
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
