"""Stage 0, frames: how a question is wrapped, apart from what it asks.

People open with a greeting or a courtesy ("Cho em hỏi ạ, …"), say who they are ("Tôi là giáo viên ở
Đồng Nai, …"), cite what they read ("Theo Luật An ninh mạng, …"), ask for a verdict on a statement
("…, đúng hay sai?", "có phải … không?") or to be told something ("cho mình biết …"), and list options
("… nào sau đây? A. … B. …"). None of that is what a document must hold: the later stages read the
core only, so the same fact asked in any of these frames gets the same answer. What a frame says
still counts where it should: the question's place is read off the whole text (a persona's place
filters), a cited document stays in the core, and a persona stays in the core when the core asks
about the asker ("trường tôi", "người như mình").

Patterns are matched on a folded copy of the text that keeps every offset (one character for one),
so a frame typed with or without marks is cut the same and the core keeps the marks it was typed with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hoidap.text import fold, has_diacritics

# Frame names, as `Framed.frames` holds them; the last three say how a turn goes on in a conversation.
GREETING, COURTESY, REQUEST, PERSONA, YES_NO, TRUE_FALSE, PREFACE, CHOICE = (
    "greeting", "courtesy", "request", "persona", "yes_no", "true_false", "preface", "choice")
NEW_TOPIC, CORRECTION, RETURN = "new_topic", "correction", "return"
SUMMARY = "summary"  # "Tóm tắt giúp mình …", "Giới thiệu về …": a document as a whole is asked for

_ME = r"(?:em|minh|toi|chau|tui|mk|e|t|anh|chi|con|bac)"  # how an asker says "I"
_YOU = r"(?:ban|ad|admin|bot|anh|chi|em|cac ban|moi nguoi|tro ly)"
_PUNCT = r"[\s,.:;!?…-]*"
_DOCUMENT_WORDS = r"(?:luat|bo luat|nghi dinh|nghi quyet|quyet dinh|ke hoach|thong tu|van ban|chuong trinh|dieu|khoan" \
                  r"|hien phap|chi thi|kh|qd|nq|nd|tt)"

# Cut from the start, again and again, while one matches.
_OPENINGS = [
    # "Hỏi chuyện khác:", "Đổi chủ đề chút:", "Câu hỏi mới:", "Tiện hỏi luôn,", "Mà này,"
    (NEW_TOPIC, rf"(?:(?:cho (?:minh|em|toi) )?hoi (?:sang )?|tien hoi |chuyen qua |chuyen sang |sang |doi )?"
                rf"(?:chuyen|vu|chu de|viec) khac(?: (?:chut|nhe|nha|xiu))*{_PUNCT}"),
    (NEW_TOPIC, rf"(?:doi chu de|cau hoi moi|hoi rieng|tien hoi luon|tien hoi|ma nay|nhan tien)(?: (?:chut|nhe|nha))*{_PUNCT}"),
    # "không phải, …", "à nhầm, …", "nhầm, hỏi lại: …", "ý mình là …": the turn corrects the last one
    (CORRECTION, r"(?:(?:a|u|o|ua) )?(?:khong phai|ko phai|k phai|khong|nham|hoi nham|minh hoi nham)(?: (?:roi|a|nhe))*"
                 r"[,.:;!]+\s*"),
    (CORRECTION, rf"(?:hoi lai|sua lai|y (?:minh|em|toi) la|y la|(?:minh|em|toi) (?:dinh|muon) hoi(?: la)?)(?=[\s,.:;!?]){_PUNCT}"),
    # "thôi, về Đồng Nai tiếp: …", "ok quay lại, …", "thôi quay lại nhé, …", "thoi bo qua. …": back to the thread
    (RETURN, r"(?:(?:ok|hihi|vay|thoi),? )*(?:thoi bo qua|bo qua|quay lai|thoi|ok)(?: (?:nhe|nha|a))*[,.:;!]+\s*"),
    (GREETING, rf"(?:xin chao|chao|hello|hi|alo|kinh gui)(?: {_YOU})*(?: a)?{_PUNCT}"),
    (GREETING, rf"(?:(?:da )?thua|da)(?: {_YOU})*(?=[,!])(?: a)?{_PUNCT}"),
    (GREETING, rf"{_YOU} oi{_PUNCT}"),
    # "Cho em hỏi ạ", "xin hỏi", "mình muốn hỏi là", "cho hỏi chút"
    (COURTESY, rf"(?:(?:xin|vui long|lam on|phien) )?(?:cho )?(?:{_ME} )?(?:(?:xin|muon|can|duoc|dc|dk|xin phep) )?hoi"
               rf"(?: (?:chut|xiu|ti|mot chut|mot cau|mot ti|cai nay|voi|nhe|nha|a|la|ve|rang|thu|{_YOU}))*{_PUNCT}"),
    # "Cho tôi biết", "Hãy cho biết", "Giải thích giúp mình", "Mình muốn biết"
    (REQUEST, rf"(?:(?:xin|vui long|lam on|{_YOU}) )?(?:(?:hay|co the|lam on|vui long) )?"
              rf"(?:(?:cho|giup|gium) (?:{_ME} )?(?:biet|xem|tim hieu)|(?:giai thich|giai dap|noi ro|tra loi|cho biet)"
              rf"(?: (?:giup|gium|ho|cho))?(?: {_ME})?)(?: (?:ve|la|rang|them))?{_PUNCT}"),
    (REQUEST, rf"{_ME} (?:muon|can) (?:biet|tim hieu|hoi)(?: (?:ve|la|rang|them))?{_PUNCT}"),
    (SUMMARY, rf"(?:(?:{_YOU}|hay) )?(?:tom tat|tom luoc|gioi thieu|noi so qua)(?: (?:giup|gium|ho|cho))?(?: {_ME})?"
              rf"(?: (?:ve|qua))?{_PUNCT}"),
    # "Có phải …", "Liệu …", "Có đúng là …", "Phải chăng …"
    (YES_NO, rf"(?:co phai|phai chang|lieu|co that la|co that|co dung la|co dung|dung la)(?: la)?{_PUNCT}"),
    # "Đúng hay sai: …", "Nhận định sau đúng hay sai: …"
    (TRUE_FALSE, r"(?:(?:nhan dinh|khang dinh|menh de|cau|y kien|phat bieu)(?: (?:sau day|duoi day|sau|nay|tren))? )?"
                 rf"(?:la )?(?:dung hay sai|dung hoac sai|sai hay dung|co dung khong)(?: (?:khi noi|rang|la))?{_PUNCT}"),
    # "Theo quy định của pháp luật (hiện hành), …": nothing named, all frame
    (PREFACE, r"(?:theo|can cu|chieu theo|dua theo|xet theo) (?:quy dinh (?:cua |tai |hien hanh)?)?"
              rf"(?:phap luat|hien hanh|hien nay)(?: (?:hien hanh|viet nam|hien nay))?(?=\s*[,:]){_PUNCT}"),
]
_OPENING_RES = [(name, re.compile(rf"^{pattern}")) for name, pattern in _OPENINGS]
# "Theo Luật An ninh mạng, …", "Căn cứ kế hoạch 45, …": the document named is kept apart (`Framed.named`); up to its
# comma, unless it names an article ("Theo Điều 5 Luật …, …": the article is what is asked about)
_NAMING_PREFACE_RE = re.compile(rf"^(?:theo|can cu(?: vao)?|chieu theo|dua theo|xet theo)(?: (?:quy dinh|noi dung)"
                                rf"(?: (?:cua|tai|trong))?)? (?={_DOCUMENT_WORDS}\b)")
_OPENING_RES.append((PREFACE, _NAMING_PREFACE_RE))
_NAME_END_RE = re.compile(r"[,:]\s*")
_ARTICLE_NAMED_RE = re.compile(r"^(?:dieu|khoan)\b")
NAME_LENGTH = 120  # characters: a document's name with its issuer and place, not a clause of the question
# Closing words, checked one word at a time from the end. Typed with marks a particle is itself ("ạ", "nhé",
# "vậy"); typed bare many are also words ("nha" nhà, "vay" vay, "ho" họ, "a" điểm a): those count only right
# after a question word or another closing word ("lam sao vay", "giup minh nha").
_PARTICLES = {"ạ", "à", "nhé", "nha", "nhá", "nhỉ", "nhen", "hả", "hen", "với", "vậy", "thế", "ơi", "ad", "admin", "cơ",
              "giúp", "giùm", "hộ", "đi", "z", "v", "ak", "nhe"}
_BARE_PARTICLES = {"ad", "admin", "ak", "nhe", "z", "v", "hen"}
_BARE_AFTER = {"nha", "nhi", "ha", "voi", "vay", "the", "gium", "giup", "di", "oi"}
# What a bare closing word may follow: a question word, a pronoun, another particle ("lam sao vay", "giup minh nha").
_AFTER = {"gi", "j", "nao", "sao", "dau", "ai", "may", "nhieu", "nhiu", "bn", "chua", "khong", "ko", "k", "em", "minh",
          "toi", "chau", "tui", "mk", "e", "t", "ban", "bot", "ad", *_BARE_PARTICLES, *_BARE_AFTER}
# "điểm a", "phương án a": a bare "a" after these is a letter, elsewhere it is "ạ" typed bare.
_NAMES_A_LETTER = {"diem", "muc", "y", "cau", "an", "tiet", "phan", "khoan", "so", "loai", "nhom"}
_NOT = {"không", "khong", "ko", "k", "hông", "hok", "hem", "chưa", "chăng", "hong"}  # "hong" bare is hỏng, hồng
_NOT_BARE = {"khong", "ko", "k", "hok", "hem"}
# "… cảm ơn ad nhiều", "…, đúng hay sai?", "… có đúng không", "… có phải không": closing phrases, folded.
_CLOSING_RES = [
    (COURTESY, re.compile(rf"{_PUNCT}\b(?:xin )?(?:cam on|thanks|thank you|tks)(?: (?:nhieu|a|ad|ban|bot|nha|nhe|truoc))*"
                          rf"{_PUNCT}$")),
    (TRUE_FALSE, re.compile(rf"{_PUNCT}\b(?:(?:dieu nay|nhan dinh nay|cau nay|nhu vay|nhu the) )?(?:la )?"
                            rf"(?:dung hay sai|dung hoac sai|sai hay dung){_PUNCT}$")),
]
_MARKED_TRUE_RE = re.compile(rf"{_PUNCT}\b(?:(?:điều này|nhận định này|câu này|như vậy|như thế) )?(?:là )?(?:có )?"
                             rf"(?:đúng|chính xác) (?:không|ko|k|hông|chưa){_PUNCT}$", re.IGNORECASE)
# "Tôi là giáo viên ở Đồng Nai, …", "Mình mở tiệm tạp hóa ở Nam Cường.", "Là phóng viên …, tôi …": who asks,
# up to the end of that clause.
_PERSONA_RE = re.compile(r"^(?:(?:toi|minh|em|chau|tui|mk|e|t|chung toi|bon toi|tui toi|tui em|chung em)|la|voi tu cach(?: la)?)"
                         r"\s[^,.;:!?]{1,80}?[,.;:!?]+\s*")
_PERSONA_MARKED = {"tôi", "mình", "em", "cháu", "tui", "chúng", "bọn", "tụi", "là", "với"}  # "Tới …" is no "toi"
_PERSONA_LEAD = {"toi", "minh", "em", "chau", "tui", "mk", "e", "t", "anh", "chi", "con", "bac", "chung", "bon", "hien",
                 "dang", "cung", "vua", "da", "voi", "tu", "cach", "la"}
_QUESTION_WORD_RE = re.compile(r"\b(?:dau|nao|gi|j|sao|bao nhieu|bao gio|bao lau|khong|ko|ai|may|chua|the nao)\b")
# The core asks about the asker: "trường tôi", "người như mình", "cho tụi tôi" (then the persona stays in it);
# typed with marks, "tới" is no "tôi".
_ASKER_RE = re.compile(r"\b(?:cho|cua|nhu|voi|giup|gium|truong|nha|cong ty|xuong|tui|chung|bon|ve) (?:toi|minh|tui|mk|em)\b"
                       r"|\b(?:tui|mk)\b|\b(?:toi|minh)$")  # bare "toi" is also "tới": only where "I" must be
_ASKER_MARKED_RE = re.compile(r"\b(?:tôi|mình|tui|mk|tụi em|chúng em)\b", re.IGNORECASE)
# "Cơ quan nào sau đây …?": the stem asks; options "A. … B. …" are what it chooses among.
_CHOICE_STEM_RE = re.compile(r"(?:(?<=\bnao)|(?<=\bgi)|(?<=\bai)) (?:sau day|duoi day)\b")
_OPTION_RE = re.compile(r"(?:^|(?<=\s))([a-d])[.)/:]\s+")


@dataclass(frozen=True)
class Framed:
    """A question split into its frames and its core."""

    text: str  # as asked
    core: str  # what is asked, as typed (marks kept), the frames cut out
    frames: frozenset[str] = field(default_factory=frozenset)
    persona: str = ""  # who the asker says they are: "giáo viên cấp 3 ở Đồng Nai"
    options: tuple[str, ...] = ()  # a multiple-choice question's options
    named: str = ""  # the document a preface names, cut off the core: "Luật An ninh mạng", "kế hoạch của UBND tỉnh …"


def aligned_fold(text: str) -> str:
    """`fold` one character at a time: every offset of the result is that of the text."""
    return "".join(f if len(f := fold(c)) == 1 else c.lower() for c in text)


def read(question: str) -> Framed:
    """The frames of a normalised question and its core; a question that is all frame is its own core."""
    text = question.strip()
    frames: set[str] = set()
    text, options = _options(text)
    if options:
        frames.add(CHOICE)
    text, persona, named = _cut(text, frames)
    if stem := _CHOICE_STEM_RE.search(aligned_fold(text)):
        text = text[: stem.start()] + text[stem.end():]
        frames.add(CHOICE)
    core = text.strip(" ,.;:-…") or question.strip()
    if persona and (_ASKER_MARKED_RE if has_diacritics(core) else _ASKER_RE).search(core if has_diacritics(core)
                                                                                   else aligned_fold(core)):
        core = f"{persona}, {core}"  # "kế hoạch giao cho tôi việc gì": the asker's role is what is asked about
    return Framed(question, core, frozenset(frames), persona, options=options, named=named)


def _options(text: str) -> tuple[str, tuple[str, ...]]:
    """ "… nào sau đây? A. … B. … C. …" → the stem and the options (none unless they run A, B, …)."""
    found = list(_OPTION_RE.finditer(aligned_fold(text)))
    if len(found) < 2 or [m.group(1) for m in found] != list("abcd"[: len(found)]):
        return text, ()
    ends = [m.start() for m in found[1:]] + [len(text)]
    return text[: found[0].start()].strip(), tuple(text[m.end(): end].strip() for m, end in zip(found, ends))


def _cut(text: str, frames: set[str]) -> tuple[str, str, str]:
    """Cut opening and closing frames and persona clauses off `text`: (what is left, the persona: each clause's,
    joined: "tiểu thương, người dân An Giang", the document a preface names)."""
    personas: list[str] = []
    named = ""
    changed = True
    while changed and text:
        changed = False
        folded = aligned_fold(text)
        for name, pattern in _OPENING_RES:
            if (m := pattern.match(folded)) and m.end() < len(text) and not folded[m.end() - 1: m.end() + 1].isalnum():
                text, changed = text[m.end():], True
                frames.add(name)
                end = _NAME_END_RE.search(text, 0, NAME_LENGTH) if pattern is _NAMING_PREFACE_RE else None
                if end and text[end.end():].strip() and not _ARTICLE_NAMED_RE.match(folded[m.end():]):
                    named, text = text[: end.start()].strip(), text[end.end():]
                break
        if changed:
            continue
        m = _PERSONA_RE.match(folded)
        first = text.split(maxsplit=1)[0].lower()
        if (m and m.end() < len(text) and not _QUESTION_WORD_RE.search(folded[: m.end()])
                and (first in _PERSONA_MARKED or first == fold(first))):
            personas.append(_persona_of(text[: m.end()]))
            text, changed = text[m.end():], True
            frames.add(PERSONA)
            continue
        if cut := _closing(text, folded, frames):
            text, changed = text[:cut], True
    return text.strip(), ", ".join(personas), named


def _persona_of(clause: str) -> str:
    """ "Tôi là giáo viên cấp 3 ở Đồng Nai, " → "giáo viên cấp 3 ở Đồng Nai"."""
    words = clause.strip(" ,.;:!?").split()
    folded = aligned_fold(" ".join(words)).split()
    lead = 0
    while lead < len(words) - 1 and folded[lead] in _PERSONA_LEAD:
        lead += 1
    return " ".join(words[lead:])


def _closing(text: str, folded: str, frames: set[str]) -> int:
    """Where the closing frames at the end of `text` start (0: none), adding their names to `frames`."""
    for name, pattern in _CLOSING_RES:
        if (m := pattern.search(folded)) and m.start() > 0:
            frames.add(name)
            return m.start()
    if (m := _MARKED_TRUE_RE.search(text)) and m.start() > 0:
        frames.add(TRUE_FALSE)
        return m.start()
    words = [(w.end(), w.group(0).lower(), folded[w.start(): w.end()]) for w in re.finditer(r"\w+", text)]
    cut, sure = 0, False  # sure: the word just cut is a particle however spelt, so a bare one may come before it
    while len(words) > 1:
        _, word, bare = words[-1]
        if word in _NOT and (word != bare or word in _NOT_BARE):
            frames.add(YES_NO)
            words.pop()
            if len(words) > 2 and _yes_no_lead(*words[-1][1:]):  # "có phải không", "được không"
                words.pop()
                if words[-1][2] == "co" and len(words) > 1:
                    words.pop()
            cut = words[-1][0]
            break  # particles follow "không" ("không ạ"), none comes before it
        if _particle(word, bare, words[-2][2], sure):
            frames.add(COURTESY)
            words.pop()
            sure = word != bare or bare in _BARE_PARTICLES
        else:
            break
        cut = words[-1][0]
    return cut


def _particle(word: str, bare: str, before: str, after_particle: bool) -> bool:
    """Whether a closing word is a particle: typed with marks, by its form; bare, by what it follows."""
    if word != bare:
        return word in _PARTICLES
    if bare == "a":  # "ạ" typed bare, unless it names a letter: "điểm a"
        return before not in _NAMES_A_LETTER
    return bare in _BARE_PARTICLES or bare in _BARE_AFTER and (after_particle or before in _AFTER)


def _yes_no_lead(word: str, bare: str) -> bool:
    """ "phải", "được", "đúng" before "không": part of the frame ("đúng" only with its mark: "dung" is also dùng)."""
    return word in {"phải", "được", "đúng", "đc"} if word != bare else bare in {"phai", "duoc", "dc", "dk"}
