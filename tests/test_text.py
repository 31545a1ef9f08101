import time
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from hoidap.config import BUNDLED_CORPUS
from hoidap.text import (
    collapse_ws, fix_pdf_spacing, fold, folded_syllables, folded_text, has_diacritics, is_folded_syllable,
    is_syllable, looks_hard_wrapped, normalize, repair_lines, syllables, tidy_paragraphs,
)

SEEDS = BUNDLED_CORPUS
HATINH = (SEEDS / "hatinh_stp_kh_nq57.txt").read_text(encoding="utf-8-sig")


def test_normalize_nfc_tone_placement_and_eth():
    assert normalize(unicodedata.normalize("NFD", "Nghị quyết")) == "Nghị quyết"
    assert normalize("hoà thuý khoẻ Hoà") == "hòa thúy khỏe Hòa"
    assert normalize("quý quả") == "quý quả"  # qu is a consonant: nothing to move
    assert normalize("ðổi mới Ðảng") == "đổi mới Đảng"
    assert normalize("a\u00a0 b\tc") == "a b c"


def test_fold_and_diacritics():
    assert fold("Đổi mới SÁNG TẠO, chuyển đổi số") == "doi moi sang tao, chuyen doi so"
    assert has_diacritics("Nghị quyết") and not has_diacritics("nghi quyet")
    assert syllables("Nghị quyết số 57-NQ/TW") == ["nghị", "quyết", "số", "57", "nq", "tw"]
    assert folded_text("Nghị quyết số 57-NQ/TW") == "nghi quyet so 57 nq tw"
    assert collapse_ws("  a \n b ") == "a b"


def test_is_syllable():
    for word in ["nghị", "quyết", "trường", "giữa", "khuya", "Nghiêng", "hoà", "thuở"]:
        assert is_syllable(word), word
    for word in ["ngh", "NQ", "and", "nghÞ", "quyeát", "tr­êng"]:
        assert not is_syllable(word), word
    for word in ["nghi", "nguoi", "truong", "khuya", "dieu"]:
        assert is_folded_syllable(word), word
    for word in ["chatbot", "website", "ngh", "stem"]:
        assert not is_folded_syllable(word), word


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_folded_syllables_fold_each_syllable(text):
    assert folded_syllables(text) == [fold(w) for w in syllables(text)]
    assert folded_text(text) == " ".join(folded_syllables(text))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_and_fold_idempotent_on_any_text(text):
    once = normalize(text)
    assert normalize(once) == once
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(c) for c in folded)
    assert "đ" not in folded and "Đ" not in folded


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aăâeêioôơuưyđ\u0300\u0301\u0303\u0309\u0323 nghtqAĐ"))
def test_vietnamese_like_text_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)
    # Moving a tone mark never changes the letters that remain after folding.
    assert fold(normalize(text)).split() == fold(text).split()


def test_repair_lines_on_hard_wrapped_seed():
    assert looks_hard_wrapped(HATINH)
    paragraphs = repair_lines(HATINH).split("\n\n")
    assert paragraphs[0] == "KẾ HOẠCH"
    assert paragraphs[1].startswith("Tuyên truyền Nghị quyết số 57-NQ/TW")
    assert paragraphs[1].endswith("nhiệm vụ thời gian tới")  # title not joined with "Thực hiện"
    assert paragraphs[2].startswith("Thực hiện Kế hoạch số 344/KH-UBND")
    assert "Văn bản số 321-CV/BTGDVTU" in paragraphs[2]
    text = "\n\n".join(paragraphs)
    assert "\n\n- xã hội" not in text and "phát triển kinh tế - xã hội, ngăn chặn" in text
    assert "Nghị quyết số 57-NQ/TW; Nghị quyết số 71/NQ-CP" in text  # "57-\n\nNQ/TW" rejoined
    assert "- Lãnh đạo Sở;" in paragraphs and "GIÁM ĐỐC" in paragraphs
    assert "1. Mục đích" in paragraphs and "I. MỤC ĐÍCH, YÊU CẦU" in paragraphs
    assert syllables(text) == syllables(HATINH)


def test_one_paragraph_per_line_text_is_left_alone():
    for path in SEEDS.glob("*.txt"):
        if path.name.startswith("hatinh"):
            continue
        text = path.read_text(encoding="utf-8-sig")
        assert not looks_hard_wrapped(text), path.name
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        assert tidy_paragraphs(text).split("\n\n") == lines


def test_repair_lines_takes_linear_time_on_one_endless_paragraph():
    wrapped = "\n".join(["chuyển đổi số trong cơ quan nhà nước và doanh nghiệp"] * 100_000)  # 5.3 MB, no full stop
    started = time.monotonic()
    repaired = repair_lines(wrapped)
    assert time.monotonic() - started < 6  # about 1 s; the quadratic version took 30 s
    assert repaired == " ".join(["chuyển đổi số trong cơ quan nhà nước và doanh nghiệp"] * 100_000)


def test_repair_lines_rules():
    text = "Phát triển kinh\ntế\n- xã hội của tỉnh.\n- Nâng cao nhận thức\nvà hành động.\nNghị quyết số 57-\nNQ/TW về\nchuyển đổi số."
    assert repair_lines(text).split("\n\n") == [
        "Phát triển kinh tế - xã hội của tỉnh.",
        "- Nâng cao nhận thức và hành động.",
        "Nghị quyết số 57-NQ/TW về chuyển đổi số.",
    ]
    assert repair_lines("") == ""


def test_fix_pdf_spacing_is_conservative():
    assert fix_pdf_spacing("Ngh ị quyết") == "Nghị quyết"
    assert fix_pdf_spacing("Nghi \u0323 quyết") == "Nghị quyết"
    assert fix_pdf_spacing("TP HCM ở đây, điểm b khoản 2") == "TP HCM ở đây, điểm b khoản 2"
