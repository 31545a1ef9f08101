"""Two replicas on PostgreSQL + Redis behind nginx (the shipped deploy/nginx site, over HTTPS), and a `hoidap worker`,
as real processes on 127.0.0.1 (docs/deploy.md): an upload to replica A is answered by replica B once the worker has
published the new index generation, and B serves its original file (one shared HOIDAP_FILES_DIR); a staff login and a
curated answer made on A hold on B; the rate limit holds across replicas; a Telegram update delivered to both is
answered once; a frozen replica is passed over; Redis cut (through a relay the test controls) in the middle of a load
run loses no request at nginx and the shared limit resumes when it is back; killing a replica in the middle of a load
run loses no request at nginx. scripts/test.sh installs nginx."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from fakes.relay import Relay
from fakes.server import free_port, serve, settled, wait_healthy
from fakes.telegram import FakeTelegram, message_update
from hoidap.breaker import PAUSE_S
from test_deploy import client, render_site, until_up
from test_web_admin import DOC, TOKEN

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")
TELEGRAM_TOKEN, TELEGRAM_SECRET = "123456:TEST-token", "s3cret_Token-57"
QUESTION = "Đồng Nai đặt mục tiêu bao nhiêu phần trăm người dân tiếp cận thông tin đến năm 2030?"


def ask(url: str, question: str, address: str) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json={"question": question}, headers={"X-Forwarded-For": address}, timeout=30)


def test_replicas_behind_nginx(tmp_path, corpus, pg_schema, redis_prefix):
    url, schema = pg_schema
    direct = redis.Redis.from_url(redis_prefix[0])
    redis_at = direct.connection_pool.connection_kwargs
    relay = Relay((redis_at["host"], redis_at["port"]))  # the replicas reach Redis through it: the test can cut it
    telegram = FakeTelegram()
    telegram.hanging = False
    processes: list[subprocess.Popen] = []

    def start(name: str, *command: str) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": os.getcwd(), "HOIDAP_DATA_DIR": str(tmp_path / name),
               "HOIDAP_CORPUS_DIR": str(corpus), "HOIDAP_EMBEDDER": "none", "HOIDAP_INDEX_DIR": str(tmp_path / "index"),
               "HOIDAP_FILES_DIR": str(tmp_path / "files"),
               "HOIDAP_DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}", "HOIDAP_REDIS_URL": f"redis://127.0.0.1:{relay.port}/{redis_at.get('db', 0)}",
               "HOIDAP_REDIS_PREFIX": redis_prefix[1], "HOIDAP_SERVE_JOBS": "false", "HOIDAP_ADMIN_TOKEN": TOKEN,
               "HOIDAP_RATE_LIMIT_PER_MINUTE": "5", "HOIDAP_PUBLIC_URL": "https://hoidap.example.gov.vn",
               "HOIDAP_TELEGRAM_TOKEN": TELEGRAM_TOKEN, "HOIDAP_TELEGRAM_SECRET": TELEGRAM_SECRET,
               "HOIDAP_TELEGRAM_BASE_URL": telegram.url + "/bot"}
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                          start_new_session=True))
        return processes[-1]

    with serve(telegram.app) as telegram.url:
        ports = {name: free_port() for name in ("a", "b", "plain", "tls")}
        a_url, b_url = (f"http://127.0.0.1:{ports[n]}" for n in ("a", "b"))
        lb_url = f"https://127.0.0.1:{ports['tls']}"
        try:
            # A and B start together on an empty database (as systemd starts them): one of them seeds it
            a = start("a", sys.executable, "-m", "hoidap.cli", "serve", "--port", str(ports["a"]))
            b = start("b", sys.executable, "-m", "hoidap.cli", "serve", "--port", str(ports["b"]))
            start("worker", sys.executable, "-m", "hoidap.cli", "worker")
            wait_healthy(a_url, a)
            wait_healthy(b_url, b)
            docs = [httpx.get(f"{u}/api/documents", headers={"X-Forwarded-For": "10.0.0.9"}).json() for u in (a_url, b_url)]
            assert len(docs[0]) == len(docs[1]) == len(list(corpus.glob("*.txt"))), docs  # seeded once, each plan once
            generations = {httpx.get(f"{u}/healthz").json()["generation"] for u in (a_url, b_url)}
            assert len(generations) == 1, generations
            # the shipped site (deploy/nginx/hoidap.conf) with the test's ports and a self-signed certificate
            conf = render_site(tmp_path, [ports["a"], ports["b"]], ports["plain"], ports["tls"])
            start("nginx", "nginx", "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;")
            with client("127.0.0.1") as probe:
                assert until_up(lambda: probe.get(f"{lb_url}/healthz"), processes[-1]).status_code == 200

            # 1. an upload to A, ingested by the worker, answered by B after B swapped to the new generation
            r = httpx.post(f"{a_url}/admin/documents", files={"file": ("tro-ly-so.txt", DOC.encode())},
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
            assert r.status_code in (200, 202), r.text
            deadline = time.monotonic() + 60
            while True:
                cited = ask(b_url, "Trợ lý số tra cứu thủ tục ở thôn ấp Bình Minh", "10.0.0.1").json()["citations"]
                if cited and cited[0]["doc_id"] == "tro-ly-so":
                    break
                assert time.monotonic() < deadline, "B never answered from the uploaded document"
                time.sleep(1)
            assert "tro-ly-so" in httpx.get(f"{b_url}/admin", headers={"Authorization": f"Bearer {TOKEN}"}).text
            assert httpx.get(f"{b_url}/documents/tro-ly-so/file").content == DOC.encode()  # the worker stored it

            # 1b. staff state is in PostgreSQL: a login on A is valid on B, a curated answer added on A is B's answer
            login = httpx.post(f"{a_url}/admin/login", data={"token": TOKEN, "name": "Nguyễn Văn A"})
            assert login.status_code == 303 and "hoidap_admin" in login.cookies
            cookie = {"Cookie": f"hoidap_admin={login.cookies['hoidap_admin']}"}  # Secure: httpx keeps it off http
            assert httpx.get(f"{b_url}/admin", headers=cookie).status_code == 200
            curated = {"question": "Giờ tiếp dân của Sở là khi nào?", "answer": "Sáng thứ Hai đến thứ Sáu, 7 giờ 30.",
                       "source": "Văn phòng Sở"}
            added = httpx.post(f"{a_url}/admin/curated", data=curated, headers={"Authorization": f"Bearer {TOKEN}"})
            assert added.status_code == 200 and "Đã thêm" in added.text
            assert ask(b_url, curated["question"], "10.0.0.3").json()["text"].startswith(curated["answer"])

            # 2. the rate limit (5 a minute) holds across replicas
            codes = [ask(u, QUESTION, "10.0.0.2").status_code for u in (a_url, b_url) * 4]
            assert codes == [200] * 5 + [429] * 3

            # 3. one Telegram update delivered to both replicas is answered once: as many messages as the same
            # question delivered once
            def deliver(update_id: int, chat_id: int, urls) -> int:
                for u in urls:
                    assert httpx.post(f"{u}/webhooks/telegram", json=message_update(update_id, chat_id, QUESTION),
                                      headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}).status_code == 200
                return len(settled(lambda: telegram.sent(chat_id=str(chat_id)), quiet=2, timeout=30))

            assert deliver(77, 5757, (a_url, b_url)) == deliver(78, 5758, (a_url,)) > 0

            # 3b. freeze B (SIGSTOP): it still accepts connections; nginx asks A once its read timeout has passed
            os.killpg(b.pid, signal.SIGSTOP)
            try:
                for i in range(3):
                    with client(f"127.2.0.{i + 1}") as c:
                        started = time.monotonic()
                        assert c.post(f"{lb_url}/api/ask", json={"question": QUESTION}).status_code == 200
                        assert time.monotonic() - started < 25  # deploy/nginx/hoidap.conf: proxy_read_timeout 20s
            finally:
                os.killpg(b.pid, signal.SIGCONT)

            # 3c. cut Redis during a load run through nginx: every question answered, /healthz says so; once Redis is
            # back the shared rate limit is counted there again, without a restart
            def one(i: int, net: int) -> int:
                with client(f"127.{net}.{i // 250}.{i % 250 + 1}") as c:
                    return c.post(f"{lb_url}/api/ask", json={"question": QUESTION}).status_code

            limits = f"{redis_prefix[1]}limit:ask:*"
            with ThreadPoolExecutor(8) as pool:
                running = [pool.submit(one, i, 3) for i in range(200)]
                while sum(f.done() for f in running) < 40:
                    time.sleep(0.02)
                relay.cut()
                codes = [f.result() for f in running]
            assert codes.count(200) == 200, {c: codes.count(c) for c in set(codes)}
            with client("127.4.0.1") as c:
                assert c.get(f"{lb_url}/healthz").json()["redis"] == "unreachable"
            relay.restore()
            direct.delete(*direct.scan_iter(match=limits))
            time.sleep(PAUSE_S + 0.5)
            for i in range(4):  # both replicas (nginx alternates) count in Redis again
                assert one(i, 5) == 200
            assert list(direct.scan_iter(match=limits))

            # 4. kill B during a bounded load run through nginx: every request still answered (each from an
            # address of its own: nginx sets X-Forwarded-For to the client's address, the limit is per address)
            with ThreadPoolExecutor(8) as pool:
                running = [pool.submit(one, i, 1) for i in range(200)]
                while sum(f.done() for f in running) < 40:
                    time.sleep(0.02)
                os.killpg(b.pid, signal.SIGKILL)
                codes = [f.result() for f in running]
            assert codes.count(200) == 200, {c: codes.count(c) for c in set(codes)}
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
