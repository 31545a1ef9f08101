"""The answerer's general rules on small inputs: what a question asks for, loan words, quote trimming."""
from __future__ import annotations

import pytest

from bot.asking import asks_date, asks_which_plan, holds_date
from bot.scope import Scope, Scoper
from bot.understand import understand
from bot.words import Vocabulary, content_words
from hoidap.models import Document, Passage


@pytest.mark.parametrize("question, expected", [
    ("Xã Nam Cường phải báo cáo trước ngày nào?", True),
    ("hạn báo cáo thì sao?", True),
    ("han bao cao thi sao", True),
    ("Kế hoạch ban hành tháng mấy năm nào?", True),
    ("Có hạn chế gì không?", False),  # "hạn chế" is no deadline
    ("nguon luc nao", False),
    # The date of a document the question names is stated where the plans cite it, not as a deadline.
    ("Nghị quyết 71/NQ-CP ban hành ngày nào?", False),
])
def test_asks_date(question, expected):
    assert asks_date(question) is expected


def test_words_that_only_ask_or_only_name_are_not_searched():
    assert "nghi" in content_words("xét đề nghị của Sở") and "quyet" in content_words("giải quyết thủ tục")
    assert not {"nghi", "quyet", "ke", "hoach"} & set(content_words("kế hoạch thực hiện nghị quyết 57"))
    words = understand("Kế hoạch xây dựng dựa trên đề nghị của cơ quan nào?", Scope(), {}).words
    assert words == ["xay", "dung", "de", "nghi"]
    assert understand("Hạn báo cáo là ngày nào?", Scope(), {}).words == ["bao", "cao"]
    # an unmarked "do" in a question typed with marks is the "do" of "do ai ban hành"; typed bare it may be "độ", "đỏ"
    assert "do" not in content_words("Kế hoạch do cơ quan nào ban hành?")
    assert "do" in content_words("ke hoach do co quan nao ban hanh") and "do" in content_words("Nhiệt độ hôm nay")
    # "liên quan (đến)" links what is asked to what names it, as "các cơ quan có liên quan" does in the plans
    for question in ("văn bản liên quan đến Nghị quyết 57", "van ban lien quan den nghi quyet 57"):
        assert not {"lien", "quan"} & set(content_words(question))
    assert "quan" in content_words("cơ quan nào chủ trì") and "lien" in content_words("liên kết vùng")


def test_holds_date_ignores_the_dates_of_cited_documents():
    assert not holds_date("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị")
    assert not holds_date("Kế hoạch số 45/KH-UBND ngày 12 tháng 8 năm 2025")
    assert holds_date("định kỳ trước ngày 20 tháng 6 hằng năm")
    assert holds_date("Ngày Chuyển đổi số quốc gia (10/10)")


def test_asks_which_plan():
    assert asks_which_plan("Những kế hoạch nào triển khai Quyết định 1169?")
    assert asks_which_plan("van ban nao nhac toi chatbot")
    assert not asks_which_plan("Kế hoạch này có gì cho học sinh?")


def test_unknown_word_inside_a_loan_word_means_it():
    vocab = Vocabulary([Passage("d:0", "d", 0, "", "Sử dụng hệ thống chatbot và website để trả lời người dân.")])
    assert vocab.alias("bot") == "chatbot"
    assert vocab.alias("web") == "website"
    assert vocab.alias("dung") == "dung"  # known: left alone
    assert vocab.alias("ung") == "ung"  # inside "dung", a Vietnamese syllable, not a loan word


def test_scope_reads_place_names_as_the_question_is_folded():
    docs = [Document("hue", place="TP. Huế", locality="TP. Huế"), Document("nc", place="Nam Cường", locality="xã Nam Cường"),
            Document("odd", place="Tỉnh", locality="Tỉnh")]  # a blank name after its prefix names nothing
    scoper = Scoper(docs, "")
    assert scoper.scope("Kế hoạch của TP. Huế có gì?").doc_ids == {"hue"}
    assert scoper.scope("o Hue co gi").doc_ids == {"hue"}
    assert scoper.scope("xã Nam Cường có gì?").doc_ids == {"nc"}
    assert scoper.scope("chuyển đổi số là gì").doc_ids is None


def test_a_cited_number_the_corpus_lacks_is_a_signal():
    scoper = Scoper([], "Thực hiện Nghị quyết số 57-NQ/TW và Quyết định 1169")
    assert "law" not in scoper.outside("Nghị quyết 57 nói gì?")
    assert "law" not in scoper.outside("quyet dinh so 1169 la gi")
    assert scoper.outside("Nghị định 13 quy định gì?") == {"law": ""}
