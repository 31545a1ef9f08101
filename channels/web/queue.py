"""Questions the bot may not have served: declined ones, those given only the nearest passages, the help text given to
a question with content, answers rated 👎, and answers asked again in other words right after; grouped by meaning.

Two questions fall in one group when the words they ask, as the answerer reads them (bot.curated.similarity: frames
cut, folded), overlap (Dice) at least SAME_GROUP: "ha tinh co bao nhieu xa" and "Cho em hỏi Hà Tĩnh có bao nhiêu xã
ạ?" are one group. A question of fewer than MIN_GROUP_WORDS words ("còn Hà Tĩnh thì sao?", a follow-up) joins only
its own twin, never a longer question that merely shares its words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot import smalltalk
from bot.curated import CuratedAnswers, asked_words, similarity
from channels.web.logs import ConversationLog
from channels.web.vntime import utc_bounds
from hoidap.text import normalize

DECLINED = ("not_found", "out_of_scope", "related")  # "related": only the nearest passages, said to be unsure
# What staff read for each reason a question is in the queue (no raw status codes).
REASONS = {"not_found": "Không tìm thấy", "out_of_scope": "Ngoài phạm vi", "related": "Chỉ đưa đoạn gần nhất",
           "help": "Chỉ đưa lời hướng dẫn", "thumbs_down": "Bị đánh giá 👎", "rephrased": "Người hỏi hỏi lại ngay"}
# Vietnamese names of every answer status, for the CSV and the feedback table.
STATUSES = {"answered": "Đã trả lời", "clarify": "Hỏi lại cho rõ", "smalltalk": "Chào hỏi, hướng dẫn",
            **{s: REASONS[s] for s in DECLINED}}
SAME_GROUP = 0.6
MIN_GROUP_WORDS = 3
REPHRASED_WITHIN_S = 180  # the same person asking nearly the same again this soon: the answer did not serve
REPHRASED_SIMILARITY = 0.5


@dataclass
class Group:
    question: str  # the first wording seen
    count: int = 0
    thumbs_down: int = 0
    reasons: set[str] = field(default_factory=set)  # REASONS values
    answer: str = ""  # what the bot last answered
    wordings: list[str] = field(default_factory=list)
    last_at: str = ""
    curated: str = ""  # the staff-written question that now answers this group ("" while not handled)
    handled_by: str = ""  # who wrote that answer


def help_to_content(row: dict) -> bool:
    """The help text given where a question asked something (not a greeting, thanks or "bạn là ai")."""
    return row["status"] == "smalltalk" and smalltalk.intent(normalize(row["question"])) is None


def _rephrased(rows: list[dict]) -> list[dict]:
    """Answers whose asker asked nearly the same again in the same session within REPHRASED_WITHIN_S."""
    by_session: dict[str, list[dict]] = {}
    for row in rows:
        if row["session"]:
            by_session.setdefault(row["session"], []).append(row)
    found = []
    for turns in by_session.values():
        for this, after in zip(turns, turns[1:]):
            soon = (datetime.fromisoformat(after["created_at"]) - datetime.fromisoformat(this["created_at"])
                    ).total_seconds() <= REPHRASED_WITHIN_S
            if (this["status"] == "answered" and soon and after["question"].strip() != this["question"].strip()
                    and similarity(this["question"], after["question"]) >= REPHRASED_SIMILARITY):
                found.append(this)
    return found


def _same_group(question: str, group: Group) -> bool:
    if normalize(question).strip().lower() == normalize(group.question).strip().lower():
        return True
    short = min(len(asked_words(question)), len(asked_words(group.question))) < MIN_GROUP_WORDS
    return asked_words(question) == asked_words(group.question) if short else similarity(question, group.question) >= SAME_GROUP


def groups(log: ConversationLog, start: date, end: date, curated: CuratedAnswers | None = None) -> list[Group]:
    """The queue of the period, biggest group first; with `curated`, each group says whether a staff answer serves it."""
    lo, hi = utc_bounds(start, end)
    rows = log.conversations(lo, hi)
    items: dict[str, tuple[str, str, str, str]] = {}  # answer id → question, reason, answer, when
    for row in rows:
        reason = row["status"] if row["status"] in DECLINED else "help" if help_to_content(row) else None
        if reason:
            items[row["id"]] = (row["question"], REASONS[reason], row["answer"], row["created_at"])
    for row in _rephrased(rows):
        items[row["id"]] = (row["question"], REASONS["rephrased"], row["answer"], row["created_at"])
    for f in log.feedback(lo, hi):  # an answer rated 👎: once, however many votes it has
        if f["rating"] < 0:
            items[f["answer_id"]] = (f["question"], REASONS["thumbs_down"], f["answer"], f["created_at"])
    found: list[Group] = []
    for question, reason, answer, at in sorted(items.values(), key=lambda item: item[3]):
        group = next((g for g in found if _same_group(question, g)), None)
        if group is None:
            group = Group(question.strip())
            found.append(group)
        group.count += 1
        group.thumbs_down += reason == REASONS["thumbs_down"]
        group.reasons.add(reason)
        group.answer, group.last_at = answer, at
        if question.strip() not in group.wordings:
            group.wordings.append(question.strip())
    if curated is not None:
        for group in found:
            if match := curated.match(group.question):
                group.curated, group.handled_by = match.question, match.created_by
    return sorted(found, key=lambda g: (bool(g.curated), -g.count, g.question))
