"""Questions the bot did not answer well: declined ones, those given only the nearest passages, and answers rated 👎,
grouped by similarity.

Two questions fall in one group when their folded content words overlap (Dice) at least SAME_GROUP:
"ha tinh co bao nhieu xa" and "Hà Tĩnh có bao nhiêu xã?" are one group, counted together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.curated import similarity
from channels.web.logs import ConversationLog
from channels.web.vntime import utc_bounds

DECLINED = ("not_found", "out_of_scope", "related")  # "related": only the nearest passages, said to be unsure
SAME_GROUP = 0.6


@dataclass
class Group:
    question: str  # the first wording seen
    count: int = 0
    thumbs_down: int = 0
    statuses: set[str] = field(default_factory=set)
    answer: str = ""  # what the bot last answered
    wordings: list[str] = field(default_factory=list)
    last_at: str = ""


def groups(log: ConversationLog, start: date, end: date) -> list[Group]:
    lo, hi = utc_bounds(start, end)
    items = {row["id"]: (row["question"], row["status"], row["answer"], row["created_at"], False)
             for row in log.conversations(lo, hi) if row["status"] in DECLINED}
    for f in log.feedback(lo, hi):  # an answer rated 👎: once, however many votes it has
        if f["rating"] < 0:
            items[f["answer_id"]] = (f["question"], f["status"], f["answer"], f["created_at"], True)
    found: list[Group] = []
    for question, status, answer, at, down in sorted(items.values(), key=lambda item: item[3]):
        group = next((g for g in found if similarity(question, g.question) >= SAME_GROUP
                      or question.strip().lower() == g.question.strip().lower()), None)
        if group is None:
            group = Group(question.strip())
            found.append(group)
        group.count += 1
        group.thumbs_down += down
        group.statuses.add("👎" if down else status)
        group.answer, group.last_at = answer, at
        if question.strip() not in group.wordings:
            group.wordings.append(question.strip())
    return sorted(found, key=lambda g: (-g.count, g.question))
