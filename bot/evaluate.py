"""Score the answerer on a JSONL question set (both bench formats) without copying the set anywhere.

seed_questions_30:  {id, q, gold: [{doc, anchor}], tags}
seed_questions_dev: {id, question, kind, doc, answer_quotes}; kind out_of_scope must be declined.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.answerer import Answerer
from hoidap.models import Answer
from hoidap.text import collapse_ws

DECLINED = {"out_of_scope", "not_found"}


@dataclass
class Item:
    id: str
    question: str
    kinds: list[str]
    golds: list[str]  # any one of them in a citation is right; empty: must be declined


@dataclass
class Tally:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    decline_total: int = 0
    declined: int = 0
    misses: list[str] = field(default_factory=list)


def load(path: Path) -> list[Item]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if "q" in row:
            golds = [g["anchor"] for g in row.get("gold", [])]
            items.append(Item(row["id"], row["q"], row.get("tags") or ["general"], golds))
        else:
            golds = [] if row.get("kind") == "out_of_scope" else row.get("answer_quotes", [])
            items.append(Item(row["id"], row["question"], [row.get("kind") or "general"], golds))
    return items


def contains_gold(answer: Answer, golds: list[str], first: int) -> bool:
    quotes = [collapse_ws(c.quote) for c in answer.citations[:first]]
    return any(collapse_ws(g) in q for g in golds for q in quotes)


def evaluate(answerer: Answerer, items: list[Item]) -> dict[str, Tally]:
    """Tallies overall ("all") and per kind; each question is asked in a fresh session."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for item in items:
        answer = answerer.ask(item.question, session_id=f"eval-{item.id}", channel="eval")
        declined = answer.status in DECLINED
        top1, top3 = contains_gold(answer, item.golds, 1), contains_gold(answer, item.golds, 3)
        if not (top1 if item.golds else declined):
            tallies["all"].misses.append(f"{item.id} ({answer.status}) {item.question}")
        for key in ["all", *item.kinds]:
            t = tallies[key]
            if item.golds:
                t.answerable += 1
                t.top1 += top1
                t.top3 += top3
            else:
                t.decline_total += 1
                t.declined += declined
    return dict(tallies)


def report(tallies: dict[str, Tally]) -> str:
    lines = [f"{'':16} {'n':>3} {'top1':>6} {'top3':>6} {'declined':>9}"]
    for key, t in sorted(tallies.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        top1 = f"{t.top1 / t.answerable:.2f}" if t.answerable else "-"
        top3 = f"{t.top3 / t.answerable:.2f}" if t.answerable else "-"
        declined = f"{t.declined}/{t.decline_total}" if t.decline_total else "-"
        lines.append(f"{key:16} {t.answerable + t.decline_total:>3} {top1:>6} {top3:>6} {declined:>9}")
    misses = tallies["all"].misses if "all" in tallies else []
    if misses:
        lines += ["", "Sai hoặc thiếu:"] + [f"  {m}" for m in misses]
    return "\n".join(lines)
