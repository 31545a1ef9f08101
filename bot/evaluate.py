"""Score the answerer on a JSONL question set (both bench formats) without copying the set anywhere.

seed_questions_30:  {id, q, gold: [{doc, anchor}], tags}
seed_questions_dev: {id, question, kind, doc, answer_quotes}; kind out_of_scope must be declined.

Per kind: the first citation holds the answer, one of the first three does, every gold document is cited
(cross_doc and ambiguous items), answerable questions given only the nearest passages ("related"), out-of-scope
questions declined, answerable questions declined (neither answered nor related).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hoidap.models import Answer
from hoidap.text import collapse_ws

DECLINED = {"out_of_scope", "not_found", "clarify"}
# Bench seed ids → the file each stands for (../shared/bench/README.md); documents are matched by file name.
SEED_FILES = {
    "000": "angiang_stp_kh_qd1169.txt", "001": "angiang_stp_kh_nq71.txt", "002": "namcuong_ubnd_kh_qd1169.txt",
    "003": "dongnai_ubnd_kh45.txt", "004": "hatinh_stp_kh_nq57.txt",
    "ag_stp_1169": "angiang_stp_kh_qd1169.txt", "ag_stp_71": "angiang_stp_kh_nq71.txt",
    "xa_namcuong": "namcuong_ubnd_kh_qd1169.txt", "dongnai": "dongnai_ubnd_kh45.txt",
    "hatinh_stp": "hatinh_stp_kh_nq57.txt",
}


@dataclass
class Item:
    id: str
    question: str
    kinds: list[str]
    golds: list[str]  # any one of them in a citation is right; empty: must be declined
    files: list[str] = field(default_factory=list)  # gold documents' file names (all must be cited)


@dataclass
class Outcome:
    """What an answer did for one item."""

    first: bool
    top3: bool
    all_docs: bool
    declined: bool
    related: bool = False  # the nearest passages, said to be unsure


@dataclass
class Tally:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    multi_doc: int = 0
    all_docs: int = 0
    answerable_declined: int = 0
    answerable_related: int = 0
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
            files = sorted({SEED_FILES.get(g["doc"], g["doc"]) for g in row.get("gold", [])})
            items.append(Item(row["id"], row["q"], row.get("tags") or ["general"], golds, files))
        else:
            golds = [] if row.get("kind") == "out_of_scope" else row.get("answer_quotes", [])
            docs = row.get("doc") or []
            files = [SEED_FILES.get(d, d) for d in ([docs] if isinstance(docs, str) else docs)]
            items.append(Item(row["id"], row["question"], [row.get("kind") or "general"], golds, files))
    return items


def holds(quote: str, golds: list[str]) -> bool:
    q = collapse_ws(quote)
    return any(collapse_ws(g) in q for g in golds)


def outcome(item: Item, status: str, quotes: list[str], files: Iterable[str]) -> Outcome:
    """`quotes` in citation order, `files`: the file names of every cited document."""
    multi = len(item.files) > 1
    return Outcome(
        first=bool(quotes) and holds(quotes[0], item.golds),
        top3=any(holds(q, item.golds) for q in quotes[:3]),
        all_docs=multi and set(item.files) <= set(files),
        declined=status in DECLINED,
        related=status == "related",
    )


def tally(items: list[Item], outcomes: list[Outcome], statuses: list[str] | None = None) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for i, (item, o) in enumerate(zip(items, outcomes)):
        if not (o.first if item.golds else o.declined):
            status = f" ({statuses[i]})" if statuses else ""
            tallies["all"].misses.append(f"{item.id}{status} {item.question}")
        for key in ["all", *item.kinds]:
            t = tallies[key]
            if item.golds:
                t.answerable += 1
                t.top1 += o.first
                t.top3 += o.top3
                t.answerable_declined += o.declined
                t.answerable_related += o.related
                if len(item.files) > 1:
                    t.multi_doc += 1
                    t.all_docs += o.all_docs
            else:
                t.decline_total += 1
                t.declined += o.declined
    return dict(tallies)


def evaluate(answerer, items: list[Item]) -> dict[str, Tally]:
    """Tallies overall ("all") and per kind; each question is asked in a fresh session."""
    outcomes, statuses = [], []
    for item in items:
        answer: Answer = answerer.ask(item.question, session_id=f"eval-{item.id}", channel="eval")
        files = [answerer.documents[c.doc_id].file_name for c in answer.citations if c.doc_id in answerer.documents]
        outcomes.append(outcome(item, answer.status, [c.quote for c in answer.citations], files))
        statuses.append(answer.status)
    return tally(items, outcomes, statuses)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def report(tallies: dict[str, Tally], misses: bool = True) -> str:
    lines = [f"{'':16} {'n':>3} {'first':>6} {'top3':>6} {'all docs':>9} {'related':>8} {'oos declined':>13} "
             f"{'ans. declined':>14}"]
    for key, t in sorted(tallies.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        oos = f"{t.declined}/{t.decline_total} ({t.declined / t.decline_total:.0%})" if t.decline_total else "-"
        lines.append(f"{key:16} {t.answerable + t.decline_total:>3} {_share(t.top1, t.answerable):>6} "
                     f"{_share(t.top3, t.answerable):>6} {_share(t.all_docs, t.multi_doc):>9} "
                     f"{_share(t.answerable_related, t.answerable):>8} {oos:>13} "
                     f"{_share(t.answerable_declined, t.answerable):>14}")
    if misses and "all" in tallies and tallies["all"].misses:
        lines += ["", "Sai hoặc thiếu:"] + [f"  {m}" for m in tallies["all"].misses]
    return "\n".join(lines)
