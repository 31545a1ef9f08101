"""ALQAC 2022 legal retrieval: each law a document, each article a passage (the gold unit).

    .venv/bin/python -m bench.alqac [bm25] [dense] [rrf] [weighted]
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench.common import SHARED, first_correct, metrics, retriever, row, variants_from_argv
from hoidap.models import Document, Passage
from hoidap.store import Store
from hoidap.text import fold

WORK = Path(tempfile.gettempdir()) / "hoidap-bench-alqac"  # vector cache survives between runs


def build_store(folder: Path) -> Store:
    store = Store(folder / "alqac.sqlite")
    for law in json.loads((SHARED / "alqac2022" / "law.json").read_text(encoding="utf-8")):
        passages = []
        for i, article in enumerate(law["articles"]):
            title = article["text"].split("\n", 1)[0]
            passages.append(Passage(f"{law['id']}::{article['id']}", law["id"], i, title, article["text"],
                                    header=f"{law['id']} · {title}"))
        store.put_document(Document(id=law["id"], title=law["id"]), passages)
    return store


def main() -> None:
    questions = json.loads((SHARED / "alqac2022" / "questions.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp))
        print(f"{len(store.passages())} articles, {len(questions)} questions")
        for variant in variants_from_argv(["bm25", "dense", "rrf", "weighted"]):
            started = time.perf_counter()
            r = retriever(store, WORK, variant)
            built = time.perf_counter() - started
            for label, text in [("as written", lambda q: q["text"]), ("no diacritics", lambda q: fold(q["text"]))]:
                ranks = []
                for q in questions:
                    gold = {f"{a['law_id']}::{a['article_id']}" for a in q["relevant_articles"]}
                    ranks.append(first_correct(r.search(text(q), k=10), lambda h, gold=gold: h.passage.id in gold))
                print(row(f"{variant} / {label}", metrics(ranks), len(ranks)))
            print(f"  (index built or loaded in {built:.1f}s)")


if __name__ == "__main__":
    main()
