"""`hoidap serve --workers 2`: two uvicorn worker processes on one port, sharing the store (the SQLite file, or
PostgreSQL: both start on an empty store at once, and both answer from the documents loaded) and, through Redis, the rate limit (each
worker would otherwise grant its own share)."""
import os
import signal
import subprocess
import sys

import httpx
import pytest

from fakes.server import free_port, wait_healthy


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_two_workers_answer_on_one_port_and_share_the_limit(tmp_path, corpus, redis_prefix, store, request):
    redis_url, prefix = redis_prefix
    port = free_port()
    env = {**os.environ, "HOIDAP_DATA_DIR": str(tmp_path / "data"), "HOIDAP_CORPUS_DIR": str(corpus),
           "HOIDAP_EMBEDDER": "none", "HOIDAP_REDIS_URL": redis_url, "HOIDAP_REDIS_PREFIX": prefix,
           "HOIDAP_RATE_LIMIT_PER_MINUTE": "4", "PYTHONPATH": os.getcwd()}
    if store == "postgres":
        url, schema = request.getfixturevalue("pg_schema")
        env["HOIDAP_DATABASE_URL"] = f"{url}?options=-csearch_path%3D{schema}"
    server = subprocess.Popen([sys.executable, "-m", "hoidap.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server)
        answers = []
        for _ in range(8):  # a new connection each: the kernel spreads them over both workers
            with httpx.Client(timeout=30) as client:
                answers.append(client.post(f"http://127.0.0.1:{port}/api/ask",
                                           json={"question": "Kế hoạch có những nhiệm vụ nào?"}))
        codes = [a.status_code for a in answers]
        assert codes.count(200) == 4 and codes.count(429) == 4
        assert all(a.json()["citations"][0]["doc_id"] == "angiang-stp-kh-nq71" for a in answers if a.status_code == 200)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    workers = {line.split("[")[1].split("]")[0] for line in output.splitlines() if "Started server process" in line}
    assert len(workers) == 2, output
