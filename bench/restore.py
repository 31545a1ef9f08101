"""How well a bare question gets its marks back: syllable accuracy on the pooled questions typed with marks.

    python -m bench.restore

Every question of the pooled sets written with marks is folded ("Kế hoạch nào" → "ke hoach nao"), read by
the retriever of the bundled corpus (`hoidap ingest`, no vectors needed), and compared syllable by syllable
with what was typed; with the corpus alone and with the everyday Vietnamese prior mixed in at several weights.
Typos count as errors, and so does a tone mark placed the other way ("hoà"/"hòa").
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import SHARED
from bench.fit import SETS, ingest
from bot.evaluate import load
from hoidap.config import Settings
from hoidap.store import Store
from hoidap.text import has_diacritics
from retrieval import DiacriticRestorer, Retriever
from retrieval.diacritics import EVERYDAY_WEIGHT
from retrieval.tokens import fold_syllable, syllables

WEIGHTS = [0.01, 0.03, 0.05, 0.1, 0.2, 0.4]  # of the everyday prior; the corpus alone is printed first


def accuracy(restorer: DiacriticRestorer, questions: list[str]) -> float:
    right = total = 0
    for question in questions:
        typed = syllables(question)
        read = restorer.restore_syllables([fold_syllable(s) for s in typed])
        right += sum(a == b for a, b in zip(typed, read))
        total += len(typed)
    return right / total


def main() -> None:
    questions = [item.question for name in SETS for item in load(SHARED / name) if has_diacritics(item.question)]
    with tempfile.TemporaryDirectory() as work:
        data_dir = Path(work) / "none"
        ingest(data_dir, "none")
        settings = Settings(data_dir=data_dir, embedder="none")
        retriever = Retriever(Store(settings.db_path), settings)
        retriever.reading("ke hoach")  # loads the index
        counts = retriever.snapshot.restorer
        frequencies = {**counts.unigrams, **counts.bigrams}
        print(f"{len(questions)} questions typed with marks, folded and restored; syllables read as typed:")
        print(f"  corpus alone: {accuracy(DiacriticRestorer(frequencies, everyday={}), questions):.3f}")
        for weight in WEIGHTS:
            mark = "  (shipped)" if weight == EVERYDAY_WEIGHT else ""
            print(f"  everyday Vietnamese prior, weight {weight}: "
                  f"{accuracy(DiacriticRestorer(frequencies, everyday_weight=weight), questions):.3f}{mark}")


if __name__ == "__main__":
    main()
