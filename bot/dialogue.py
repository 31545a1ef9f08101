"""Conversations: what a turn means after the last question answered in its session.

A session keeps its dialogue state (`Turn`: the last answered question as read, and the passages its answer
quoted) in the session memory that already exists (in-process or Redis), so every channel and every replica
sees it. A turn is read as one of:

- standalone: a question of its own; with no place or document named, it stays in the last one's place;
- place switch: another place or plan for the same question ("còn Đồng Nai thì sao?", "thế ở xã Nam Cường?");
- drill-down: a question about what the last answer quoted ("ai chủ trì việc đó?", "hạn khi nào?"): looked for
  first in the passages that answer quoted (the task's "Đơn vị chủ trì", "Thời gian" lines), then everywhere;
- correction: "không phải, ý mình là …": the last question again, with the place, plan or detail replaced;
- new topic: "hỏi chuyện khác: …": a fresh thread.

The reading is decided from general signals of the turn, never from a list of whole phrasings: words that point back
(đó, này, ấy, họ, việc đó), an opening that continues (còn, thế, vậy, ngoài ra), a place or plan other than the last
one's, how few words it asks with, and a correction or a change of topic said in so many words (frames the frame
reader cuts off the turn: bot/frames.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from bot import frames
from bot.frames import aligned_fold
from bot.understand import Query
from bot.words import content_words
from hoidap.text import has_diacritics

Reading = Literal["standalone", "place_switch", "drill_down", "correction", "new_topic"]
SHORT = 3  # a turn asking with at most this many content words leans on the last one


@dataclass
class Turn:
    """Dialogue state: the last question answered in a session, as it was read, and what its answer quoted."""

    query: Query
    quoted: list[tuple[str, int, int]] = field(default_factory=list)  # the answer's main units (Unit.key), first first
    said: str = ""  # what those units say: "trung tâm đó" is named there in full


# An opening that goes on from the last answer: "còn …", "thế …", "vậy …", "ngoài ra …", "quay lại …".
_OPENER_RE = re.compile(r"^(?:\w+[,.] )?(?P<opener>con|the con|vay con|the|vay|ngoai ra|ngoai|thoi|quay lai|ok|tiep|the thi)\b")
# Of those, the ones that turn to something else ("còn STEM thì sao?", "ngoài ra …"), not deeper into the last answer.
_ASIDE_RE = re.compile(r"^(?:\w+[,.] )?(?:con|the con|vay con|ngoai ra|ngoai)\b")
# The words that point at a thing named just before them: "trung tâm đó", "việc này", bare "viec do".
_DEMONSTRATIVES_MARKED, _DEMONSTRATIVES_BARE = "đó|này|ấy|kia", "do|nay|ay|kia"
# Words that point back at what was just said; bare "do", "nay" are also other words, so only after a noun.
_POINTING_BARE_RE = re.compile(r"\b(?:viec|cai|van ban|co quan|so|ke hoach|nghi quyet|phong trao|giai|bo|trung tam|nam|may"
                               rf" \w+|cac \w+|nhung \w+|muc) (?:{_DEMONSTRATIVES_BARE})\b|\b(?:ho|no|nhu vay|nhu the)\b|\w (?:do|ay|kia)\W*$")
# The pointing words themselves ask about nothing: a follow-up's own words leave them out.
_POINTING_MARKED = {"đó", "ấy", "kia", "họ", "nó", "này", "trên"}
_POINTING_MARKED_RE = re.compile(rf"\b(?:{'|'.join(sorted(_POINTING_MARKED))}|như vậy|như thế)\b", re.IGNORECASE)
_POINTING_BARE = {"do", "ay", "kia", "ho", "no", "nay"}
_GENERIC_NOUNS = {"viec", "cai", "dieu", "chuyen"}
# A place or the body of one pointed at ("Sở đó", "tỉnh này", bare "xa do"; "cơ sở đó" is no place): the place the
# thread is in, which its scope already carries, not something the last answer quoted.
_PLACE_NOUNS_MARKED, _PLACE_NOUNS_BARE = "sở|tỉnh|xã|phường|huyện", "so|tinh|xa|phuong|huyen"
_POINTED_PLACE_RE = re.compile(rf"(?<!cơ )\b(?:{_PLACE_NOUNS_MARKED}) (?:{_DEMONSTRATIVES_MARKED})\b", re.IGNORECASE)
_POINTED_PLACE_BARE_RE = re.compile(rf"(?<!co )\b(?:{_PLACE_NOUNS_BARE}) (?:{_DEMONSTRATIVES_BARE})\b")
# "họ" points at who acts in the thread, not at a thing quoted
_PEOPLE_MARKED_RE, _PEOPLE_BARE_RE = re.compile(r"\bhọ\b", re.IGNORECASE), re.compile(r"\bho\b")
# A noun pointed at ("trung tâm đó", "văn bản này", bare "nen tang do"): one or two syllables before the pointing word.
_POINTED_NOUN_MARKED_RE = re.compile(rf"(\w+(?: \w+)?) (?:{_DEMONSTRATIVES_MARKED})\b")
_POINTED_NOUN_BARE_RE = re.compile(rf"(\w+(?: \w+)?) (?:{_DEMONSTRATIVES_BARE})\b")
REFERENT_WORDS = 6  # how far past the noun the last answer's name for it runs, at most
_NAME_END = ",.;:()*\"“”\n"
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
# A year named by the last one: "năm sau (đó)", "năm tiếp theo", "năm kế tiếp", "năm trước (đó)".
_RELATIVE_YEAR_RE = re.compile(r"\bnam (sau|tiep theo|ke tiep|truoc)(?: do)?\b")


def read_turn(question: str, query: Query, context: Turn | None) -> Reading:
    """How a turn (`query`: its core read alone, with the frames cut off it) goes on from the session's last
    answered question."""
    if context is None:
        return "standalone"
    if frames.NEW_TOPIC in query.frames:
        return "new_topic"
    if frames.CORRECTION in query.frames:
        return "correction"
    folded = aligned_fold(question).strip()
    elsewhere = query.scope.doc_ids is not None and query.scope.doc_ids != context.query.scope.doc_ids
    opener = bool(_OPENER_RE.search(folded)) or frames.RETURN in query.frames
    pointing = points_back(question)
    if elsewhere:  # the last question in another place, unless the turn asks something of its own
        again = set(query.words) <= set(context.query.words)
        return "place_switch" if opener or pointing or again or len(query.words) <= SHORT else "standalone"
    if pointing or opener or len(query.words) <= SHORT:
        return "drill_down"
    return "standalone"


def points_back(question: str, people: bool = True) -> bool:
    """Whether a turn names what was just said with a word that points back ("việc đó", "họ", "như vậy");
    `people`: "họ" (they) counts too."""
    if has_diacritics(question):
        text = _POINTED_PLACE_RE.sub(" ", question)
        return bool(_POINTING_MARKED_RE.search(text if people else _PEOPLE_MARKED_RE.sub(" ", text)))
    text = _POINTED_PLACE_BARE_RE.sub(" ", aligned_fold(question).strip())
    return bool(_POINTING_BARE_RE.search(text if people else _PEOPLE_BARE_RE.sub(" ", text)))


def resolve(query: Query, reading: Reading, context: Turn | None) -> Query:
    """The query a turn asks, read with the session's last answered question."""
    if context is None or reading == "new_topic":
        return query
    last = context.query
    scope = query.scope if query.scope.doc_ids is not None else last.scope
    named_anew = query.scope.doc_ids not in (None, last.scope.doc_ids)
    if reading == "standalone" or reading == "correction" and not named_anew and len(query.words) > SHORT:
        return replace(query, scope=scope)  # a new question about the same place (a correction saying it whole)
    named = referent(query.text, context.said)
    if named:  # a thing the last answer named, pointed at: asked about it, wherever it is written
        query = replace(query, words=_merged(query.words, content_words(named)), search=f"{query.search} {named}")
    own = _own_words(query)
    if (shifted := _shifted_year(query, last)) is not None:  # "năm sau đó thì sao?": the last question's year + 1
        query, own = shifted, shifted.words
    if reading == "drill_down" and _year_of(own) and _year_of(last.words):  # "còn năm 2027?": that year instead
        reading = "correction"
    # A turn that asks with few words of its own leans on the last question for what it is about and the kind of
    # answer it wants; one that asks a whole question of its own ("thế còn xã Nam Cường dự tính áp dụng công nghệ gì
    # để truyền thông?") asks that, wherever it asks it.
    elliptic = len(own) <= SHORT
    kinds = (query.kinds or last.kinds) if elliptic else query.kinds
    if reading == "place_switch" or reading == "correction" and named_anew:
        # the last question, in the place (or plan) named now: weighed by what the turn asks of its own first
        # ("còn Đồng Nai thì ai chủ trì?"), then by the last question's words
        return replace(query, words=_merged(own, last.words) if elliptic else own, kinds=kinds,
                       search=f"{last.search} {query.search}",
                       content=f"{query.content} {last.content}".strip() if elliptic else query.content,
                       mapped={**last.mapped, **query.mapped}, scope=scope, follow_up=True, previous=last.text)
    if reading == "correction":  # the last question with the detail the turn names instead (a number, a year, a topic)
        replaced = [w for w in last.words if w.isdigit() and any(v.isdigit() for v in query.words)]
        search = re.sub(rf"\b(?:{'|'.join(replaced)})\b", " ", last.search) if replaced else last.search
        return replace(query, words=_merged(query.words, [w for w in last.words if w not in replaced]),
                       kinds=query.kinds or last.kinds, search=f"{query.search} {search}", scope=scope, follow_up=True,
                       previous=last.text)
    # drill-down: searched with the last question too, weighed by what the turn asks (the last question's words only
    # when it asks with none of its own); the passages the last answer quoted first
    # It asks about what the last answer quoted unless it turns aside to words of its own ("còn STEM thì sao?").
    # Coming back after an aside ("thôi, về Đồng Nai tiếp: …") with words of its own asks anew in the thread's place.
    # "họ" in a whole question turning aside ("thế còn việc khen người làm tốt thì họ tính sao?") is who acts in the
    # thread; in a few words ("ngoài ra họ còn giám sát gì nữa?") it asks for more of what was quoted.
    aside = bool(_ASIDE_RE.search(aligned_fold(query.text).strip())) or frames.RETURN in query.frames
    about_quoted = points_back(query.text, people=elliptic or not aside) or not own or not aside
    return replace(query, words=own or last.words, kinds=kinds,
                   search=f"{last.search} {query.search}", content=query.content or last.content,
                   mapped={**last.mapped, **query.mapped}, scope=scope, follow_up=True, previous=last.text,
                   anchor=context.quoted if about_quoted and not named else [])


def referent(question: str, said: str) -> str:
    """The name, in what the last answer quoted, of a thing a turn points at with a noun: "trung tâm đó" →
    "trung tam phuc vu hanh chinh cong xa" (folded), up to the next punctuation; blank when none. A marked noun is
    found with its marks ("sở" is not "số"); a one-syllable noun only where it opens a name ("Sở …", not "cơ sở")."""
    marked = has_diacritics(question)
    pattern = _POINTED_NOUN_MARKED_RE if marked else _POINTED_NOUN_BARE_RE
    folded_said = aligned_fold(said)
    searched = said.lower() if marked else folded_said  # the same offsets: one character for one
    for match in pattern.finditer(question.lower() if marked else aligned_fold(question)):
        noun = match.group(1).split()
        for name in (noun if len(noun) == 1 else [" ".join(noun), noun[-1]]):  # "trung tâm đó" is "trung tâm"
            if aligned_fold(name) in _GENERIC_NOUNS:
                break
            for found in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)([^{_NAME_END}]*)", searched):
                if " " in name or said[found.start()].isupper():
                    return " ".join([aligned_fold(name), *folded_said[found.start(1):found.end(1)].split()[:REFERENT_WORDS]])
    return ""


def _year_of(words: list[str]) -> str | None:
    return next((w for w in words if _YEAR_RE.fullmatch(w)), None)


def _shifted_year(query: Query, last: Query) -> Query | None:
    """A turn naming a year by the last question's ("năm sau", "năm trước đó"), with that year written out."""
    match = _RELATIVE_YEAR_RE.search(aligned_fold(query.text).lower())
    year = _year_of(last.words)
    if match is None or year is None:
        return None
    named = str(int(year) + (1 if match.group(1) != "truoc" else -1))
    phrase = set(match.group(0).split())
    return replace(query, words=[named, *(w for w in query.words if w not in phrase)],
                   search=f"{query.search} năm {named}")


def _own_words(query: Query) -> list[str]:
    """The turn's content words without the words that point back ("họ", "việc đó": "ho", "do") and those of its
    opening ("the con …": bare "thế còn" is no "thẻ")."""
    marked = has_diacritics(query.text)
    syllables = re.findall(r"\w+", query.text.lower())
    points = [s in (_POINTING_MARKED if marked else _POINTING_BARE) for s in syllables]
    # with the pointing word, the generic noun it points with ("việc này", "cái đó") and a place pointed at ("Sở đó")
    pointing = {aligned_fold(s) for i, s in enumerate(syllables)
                if points[i] or aligned_fold(s) in _GENERIC_NOUNS and i + 1 < len(points) and points[i + 1]}
    places = (_POINTED_PLACE_RE.finditer(query.text) if marked
              else _POINTED_PLACE_BARE_RE.finditer(aligned_fold(query.text)))
    pointing |= {aligned_fold(m.group(0).split()[0]) for m in places}
    opening = _OPENER_RE.search(aligned_fold(query.text).strip())
    opened = set(opening.group("opener").split()) if opening else set()
    return [w for w in query.words if w not in pointing | opened]


def _merged(first: list[str], then: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *then]))
