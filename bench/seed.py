"""Seed corpus questions: seed_questions_30 (anchors) and seed_questions_dev (citizen wording, by kind).

    .venv/bin/python -m bench.seed [bm25] [dense] [rrf] [weighted]
"""
from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from bench.common import first_correct, jsonl, metrics, retriever, row, variants_from_argv
from hoidap.config import BUNDLED_CORPUS
from hoidap.store import Store
from hoidap.text import collapse_ws
from ingest.pipeline import ingest_paths

WORK = Path(tempfile.gettempdir()) / "hoidap-bench-seed"


def _contains(quotes: list[str]):
    quotes = [collapse_ws(q) for q in quotes]
    return lambda hit: any(q in collapse_ws(hit.passage.text) for q in quotes)


def main() -> None:
    thirty = jsonl("seed_questions_30.jsonl")
    dev = [q for q in jsonl("seed_questions_dev.jsonl") if q["kind"] != "out_of_scope"]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "hoidap.sqlite")
        ingest_paths(store, Path(tmp) / "files", [BUNDLED_CORPUS])
        print(f"{len(store.passages())} passages")
        for variant in variants_from_argv(["bm25", "dense", "rrf", "weighted"]):
            r = retriever(store, WORK, variant)
            for auto_filters in (False, True):
                r.auto_filters = auto_filters
                tag = f"{variant}{' +filters' if auto_filters else ''}"
                ranks = [first_correct(r.search(q["q"], k=10), _contains([g["anchor"] for g in q["gold"]])) for q in thirty]
                print(row(f"{tag} / seed30", metrics(ranks), len(ranks)))
                by_kind = defaultdict(list)
                for q in dev:
                    rank = first_correct(r.search(q["question"], k=10), _contains(q["answer_quotes"]))
                    by_kind[q["kind"]].append(rank)
                    by_kind["all"].append(rank)
                for kind, ranks in sorted(by_kind.items()):
                    print(row(f"{tag} / dev {kind}", metrics(ranks), len(ranks)))


if __name__ == "__main__":
    main()
