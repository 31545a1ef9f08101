"""Greetings, thanks and commands, recognised with or without diacritics."""
from __future__ import annotations

import re

from bot.words import content_words
from hoidap.text import folded_text

# intent → folded phrases (and channel commands) that say it.
INTENTS = {
    "greeting": ["xin chao", "chao ban", "chao ad", "chao", "hello", "hi", "alo", "start"],
    "thanks": ["cam on", "cam on nhieu", "thank you", "thanks", "tks", "cam on ban"],
    "about": ["ban la ai", "bot la ai", "ban la gi", "ban lam duoc gi", "ban giup duoc gi", "gioi thieu"],
    "help": ["help", "tro giup", "huong dan", "huong dan su dung", "giup toi", "hoi the nao"],
    "documents": ["danh sach van ban", "co nhung van ban nao", "van ban nao", "docs", "tai lieu nao",
                  "danh sach ke hoach", "co nhung ke hoach nao", "cac van ban"],
    "suggestions": ["goi y", "cau hoi goi y", "goi y cau hoi", "cau hoi mau", "nen hoi gi", "hoi gi", "vi du"],
}


def intent(question: str) -> str | None:
    """The intent when the message is only that (a greeting before a real question is not small talk)."""
    q = folded_text(question)
    for name, phrases in INTENTS.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if re.search(rf"\b{phrase}\b", q) and not content_words(re.sub(rf"\b{phrase}\b", " ", q)):
                return name
    return None


def strip_greeting(question: str) -> str:
    """ "Xin chào, cho hỏi ..." → "cho hỏi ..."."""
    return re.sub(r"^\s*(xin chào|xin chao|chào bạn|chao ban|chào ad|chào|chao|hello|hi|alo)\b[\s,.!]*", "", question, flags=re.IGNORECASE)
