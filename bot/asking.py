"""What kind of answer a question asks for: a number, a date, or which plans."""
from __future__ import annotations

import re

from bot.scope import NUMBERED_RE
from bot.words import DOMAIN_WORDS
from hoidap.text import ENUMERATOR, fold, folded_text, has_diacritics

# "mấy" is left out: "mấy công ty", "mấy môn" is as often "those" as "how many".
_QUANTITY_RE = re.compile(r"\b(bao nhiêu|bao nhieu|bao nhiu|tỷ lệ|ty le|phần trăm|phan tram|bn(?= ?%))", re.IGNORECASE)
# "hạn" alone is a deadline; "hạn chế", "hạn mức" are not.
_DATE_WORDS = r"(ngày|tháng|năm) (nào|mấy)|bao giờ|khi nào|thời hạn|hạn chót|hạn(?! chế| mức)"
_DATE_RE = re.compile(rf"\b({_DATE_WORDS})\b", re.IGNORECASE)
_BARE_DATE_RE = re.compile(rf"\b({fold(_DATE_WORDS)})\b")
# A day or month in running text: "15/6", "ngày 15", "tháng 3".
_DATE_IN_TEXT_RE = re.compile(r"\b\d{1,2}/\d{1,2}\b|\b(ngày|tháng) \d{1,2}\b")
_YEAR_RE = re.compile(r"\bnăm \d{4}\b", re.IGNORECASE)
# "Nghị quyết số 57-NQ/TW ngày 22/12/2024": the date of a cited document, in nearly every passage.
_REFERENCE_DATE_RE = re.compile(r"\d+[-/] ?[\w/-]*,? ngày \d{1,2}(/\d{1,2}/\d{4}| tháng \d{1,2} năm \d{4})")
# "kế hoạch nào …", "An Giang có những kế hoạch gì", "các văn bản nói sao": one answer per plan
_WHICH_PLAN_RE = re.compile(r"\b(ke hoach|van ban) (nao|gi)\b|\b(nhung|cac|hai|2|ba|3) (ke hoach|van ban)\b")
_DIGIT_RE = re.compile(r"\d")
_ENUMERATOR_RE = re.compile(rf"(?m)^\s*{ENUMERATOR}\s")  # "2. ", "c) ": no quantity


def asks_number(question: str) -> bool:
    return bool(_QUANTITY_RE.search(question))


def states_number(quote: str) -> bool:
    return bool(_DIGIT_RE.search(_ENUMERATOR_RE.sub("", quote)))


def asks_date(question: str) -> bool:
    """A day or deadline ("trước ngày nào", "hạn báo cáo"), not the date of a document it names
    ("Nghị quyết 71 ban hành ngày nào": the references to it state that)."""
    if any(m.group(1) not in DOMAIN_WORDS for m in NUMBERED_RE.finditer(folded_text(question))):
        return False
    return bool(date_asking(question))


def date_asking(question: str) -> set[str]:
    """The folded words that only ask for the date ("hạn", "khi nào", "tháng mấy"): a passage answers them with a
    date, not by repeating them."""
    # Folded patterns only for bare text: in an accented question "han" is hàn or hán, not hạn.
    pattern, text = (_DATE_RE, question) if has_diacritics(question) else (_BARE_DATE_RE, question.lower())
    return {w for m in pattern.finditer(text) for w in folded_text(m.group(0)).split()}


def holds_date(text: str, years: bool = False) -> bool:
    """A day or month (or, with `years`, a year: "Từ năm 2026") other than a cited document's date."""
    text = _REFERENCE_DATE_RE.sub("", text)
    return bool(_DATE_IN_TEXT_RE.search(text) or years and _YEAR_RE.search(text))


def asks_which_plan(question: str) -> bool:
    """ "Kế hoạch nào …", "những văn bản nào …": one answer per plan, not per place."""
    return bool(_WHICH_PLAN_RE.search(fold(question)))


# Values a question may ask for that a unit either states or not: an amount of money, a phone number, a year.
# ("chi tiêu" folds to "chi tieu" like "chi" spend: only words that say money whatever their marks)
# "lương" (pay) folds like the "lượng" of "số lượng", "chất lượng": those compounds are not pay.
_MONEY_ASKED_RE = re.compile(r"\b(?:bao nhieu|bao nhiu|bn|may) (?:tien|ty|trieu|dong|nghin|usd)\b"
                             r"|(?<!\bso )(?<!\bchat )(?<!\bkhoi )(?<!\btrong )(?<!\bdung )(?<!\bnang )(?<!\bham )"
                             r"(?<!\bluu )(?<!\bdo )(?<!\bsan )(?<!\bdinh )\bluong\b|\b(?:phu cap|lai suat"
                             r"|hoc phi|le phi|muc phat|tien thuong|gia tien)\b|\b(?:kinh phi|so tien|ngan sach|tien)"
                             r"(?: \w+){0,4} (?:bao nhieu|bao nhiu|bn|may ty|may trieu)\b")
_MONEY_RE = re.compile(r"\d[\d.,]*\s*(?:đồng|tỷ|triệu|nghìn|ngàn|VNĐ|VND|USD|%/năm)", re.IGNORECASE)
_PHONE_ASKED_RE = re.compile(r"\b(?:so dien thoai|sdt|dien thoai so|hotline|duong day nong|so may|email|dia chi email)\b")
_PHONE_RE = re.compile(r"\b0\d[\d .]{7,12}\d\b|\b1900[\d .]{4,8}\b|@\w")
_YEAR_IN_QUESTION_RE = re.compile(r"\b(?:19|20)\d\d\b")
# "Bộ luật Hình sự 2017", "Luật Đất đai năm 2013": the year names the law, it is not a value asked.
_YEAR_OF_LAW_RE = re.compile(r"\b(?:luat|phap lenh)(?: \w+){1,6}? (?:nam )?((?:19|20)\d\d)\b")


def asked_values(question: str) -> tuple[bool, bool, list[str]]:
    """(asks an amount of money, asks a phone number or e-mail, the years it names)."""
    folded = folded_text(question)
    years = _YEAR_IN_QUESTION_RE.findall(_YEAR_OF_LAW_RE.sub("", folded))
    return bool(_MONEY_ASKED_RE.search(folded)), bool(_PHONE_ASKED_RE.search(folded)), years


def states_money(text: str) -> bool:
    return bool(_MONEY_RE.search(text))


def states_phone(text: str) -> bool:
    return bool(_PHONE_RE.search(text))
