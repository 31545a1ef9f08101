"""Greetings, thanks and commands, recognised with or without diacritics."""
from __future__ import annotations

import re

from bot.words import content_words
from hoidap.text import folded_text

# intent → folded phrases (and channel commands) that say it.
INTENTS = {
    "greeting": ["xin chao", "chao ban", "chao ad", "chao", "hello", "hi", "alo", "start"],
    "thanks": ["cam on", "cam on nhieu", "thank you", "thanks", "tks", "cam on ban"],
    "about": ["ban la ai", "bot la ai", "ban la gi", "ban lam duoc gi", "ban giup duoc gi", "gioi thieu", "ban la nguoi",
              "ban la may", "ban la robot", "nguoi that hay may"],
    "help": ["help", "tro giup", "huong dan", "huong dan su dung", "giup toi", "hoi the nao"],
    "documents": ["danh sach van ban", "co nhung van ban nao", "van ban nao", "docs", "tai lieu nao",
                  "danh sach ke hoach", "co nhung ke hoach nao", "cac van ban"],
    "suggestions": ["goi y", "cau hoi goi y", "goi y cau hoi", "cau hoi mau", "nen hoi gi", "hoi gi", "vi du"],
}


# Words said around a greeting or a thanks that ask nothing: "ok, cảm ơn nha", "à hay đấy, cảm ơn bot".
INTERJECTIONS = {"ok", "oke", "okie", "okay", "a", "ua", "u", "vang", "da", "hay", "day", "qua", "nhe", "nha", "bot", "ad",
                 "admin", "ban", "nhieu", "lam", "rat", "hihi", "haha", "hehe", "thoi", "roi", "nhi", "that", "tot"}


def intent(question: str) -> str | None:
    """The intent when the message is only that (a greeting before a real question is not small talk)."""
    q = folded_text(question)
    for name, phrases in INTENTS.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if re.search(rf"\b{phrase}\b", q):
                rest = [w for w in re.sub(rf"\b{phrase}\b", " ", q).split() if w not in INTERJECTIONS]
                if not content_words(" ".join(rest)):
                    return name
    return None

