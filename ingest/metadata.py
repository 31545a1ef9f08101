"""Read the metadata of a Vietnamese administrative document from its head and tail."""
from __future__ import annotations

import re

from hoidap.models import Document
from hoidap.text import normalize

DOC_TYPES = (
    "BỘ LUẬT", "PHÁP LỆNH", "KẾ HOẠCH", "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "CHỈ THỊ", "THÔNG TƯ", "NGHỊ ĐỊNH", "LUẬT",
    "CHƯƠNG TRÌNH", "HƯỚNG DẪN", "THÔNG BÁO", "BÁO CÁO", "CÔNG VĂN", "ĐỀ ÁN", "QUY CHẾ",
)
_TYPE_RE = re.compile(r"^\W*(" + "|".join(DOC_TYPES) + r")\b\W*")
# "Số: 45/KH-UBND", "Luật số: 45/2019/QH14", "Số: 145/2020/NĐ-CP"
_NUMBER_RE = re.compile(r"(?:\bLuật s|S)ố\s*:\s*(\d*)\s*(/[\w\-Đđ]+(?:/[\w\-Đđ]+)?)")
# Issuers of laws and decrees, alone on their line above the document type, in reading case.
NATIONAL_ISSUERS = {
    "QUỐC HỘI": "Quốc hội", "ỦY BAN THƯỜNG VỤ QUỐC HỘI": "Ủy ban Thường vụ Quốc hội", "CHÍNH PHỦ": "Chính phủ",
    "THỦ TƯỚNG CHÍNH PHỦ": "Thủ tướng Chính phủ", "CHỦ TỊCH NƯỚC": "Chủ tịch nước",
}
LAW_TYPES = ("BỘ LUẬT", "LUẬT", "PHÁP LỆNH")  # named by their title: "Bộ luật Lao động"
_YEAR_RE = re.compile(r"/((?:19|20)\d\d)/")
# "Đồng Nai, ngày 12 tháng 8 năm 2025"; the day may be left blank until signing. The place is capitalised words
# ("Thực hiện Kế hoạch số 45/KH-UBND, ngày …" is a preamble), and printed beside the number it follows it on one
# line: "Số: 88/KH-UBND Hòa An, ngày …" (the place is not "UBND Hòa An").
_CAPITAL = "A-ZĐ" + "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ".upper()
_PLACE = rf"(?<![\w/-])(?:TP\. ?)?[{_CAPITAL}]\w*(?: [{_CAPITAL}]\w*){{0,3}}"
PLACE_BEFORE_DATE_RE = re.compile(rf"{_PLACE}, ngày\b")  # a line that states it, the year perhaps wrapped away
_PLACE_DATE_RE = re.compile(rf"({_PLACE}),\s*(ngày\s*(\d{{0,2}})\s*tháng\s*(\d{{0,2}})\s*năm\s*(\d{{4}}))")
# "Sở Tư pháp xây dựng Kế hoạch", "UBND xã Nam Cường ban hành Kế hoạch"
_ISSUER_RE = re.compile(
    r"((?:Sở|Ủy ban nhân dân|UBND|Ban|Bộ)\s[\w ]{2,60}?)\s+(?:xây dựng|ban hành)\s+(?:Kế hoạch|Quyết định|Nghị quyết)"
)
_LOCALITY_RE = re.compile(r"trên địa bàn (tỉnh|thành phố|xã|phường|huyện)\s+([A-ZĐ][\w]*(?:\s[A-ZĐ][\w]*){0,3})")
# The role line above the signer's name; printed beside "Nơi nhận", it may end that list's lines.
_ROLE_RE = re.compile(r"(?:^|\s)(KT\.\s*)?(GIÁM ĐỐC|PHÓ GIÁM ĐỐC|CHỦ TỊCH|PHÓ CHỦ TỊCH|TM\..*|BỘ TRƯỞNG|THỦ TƯỚNG)\W*$")
_NAME_RE = re.compile(r"^[A-ZĐ][\w]*(?:\s[A-ZĐ][\w]*){1,4}$")
_PREAMBLE_RE = re.compile(r"(?:^|\s)(?:Thực hiện|Căn cứ|Xét đề nghị)\s")
# The national motto printed beside the issuer; a PDF may interleave it with the issuer's lines.
_MOTTO_RE = re.compile(r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA|VIỆT NAM|Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh\s+[pP]húc")
# Agency words that start a unit in the issuer block: "UBND TỈNH ĐỒNG NAI / SỞ TƯ PHÁP"
# (ỦY BAN NHÂN DÂN and HỘI ĐỒNG NHÂN DÂN are abbreviated first).
_AGENCY = r"UBND|HĐND|TỈNH ỦY|SỞ|BỘ|BAN|VĂN PHÒNG|TRUNG TÂM|PHÒNG|CỤC|CHI CỤC|ĐẢNG ỦY"
_CAPS_RUN_RE = re.compile(r"[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ,]*(?: [A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ,]*)+")
_UNIT_START_RE = re.compile(rf"(?<!\S)(?<!ỦY )(?<!CHI )(?<!VĂN )(?=(?:{_AGENCY})\b)")
_LEVEL_RE = re.compile(r"\b(TỈNH ỦY|TỈNH|THÀNH PHỐ|XÃ|PHƯỜNG|HUYỆN|THỊ XÃ|THỊ TRẤN|QUẬN) ([A-ZĐÀ-Ỹ ]+)$")
_ACRONYMS = {"ubnd": "UBND", "hđnd": "HĐND"}


def extract_metadata(doc_id: str, text: str) -> Document:
    """Best-effort fields from the document text; blanks where the text does not say."""
    paragraphs = [normalize(p.strip().strip("*").strip()) for p in text.split("\n\n") if p.strip()]
    head = paragraphs[:12]
    doc = Document(id=doc_id)

    for i, para in enumerate(head):
        if m := _TYPE_RE.match(para):
            doc.doc_type = m.group(1)
            title = []
            for follow in head[i + 1 :]:
                if (cut := _PREAMBLE_RE.search(follow)) and cut.start() > 0:
                    title.append(follow[: cut.start()])  # a wrapped title run into the preamble
                if cut or re.match(r"^([IVX]+\.\s|(Chương|Phần|Mục)\s+\w+$|Điều\s+\d+)", follow) or \
                        title and follow.isupper():  # the signer's authority under a Quyết định's trích yếu
                    break
                title.append(follow)
            doc.title = " ".join(title)
            break

    head_text = _MOTTO_RE.sub(" ", "\n".join(head))
    if m := _NUMBER_RE.search(head_text):
        doc.number = (m.group(1) + m.group(2)).strip()
    if m := _PLACE_DATE_RE.search(head_text):
        place, date, day, month, year = m.groups()
        doc.place = doc.locality = place
        doc.date = " ".join(date.split())
        if day and month:
            doc.date_iso = f"{year}-{int(month):02d}-{int(day):02d}"
    intro = "\n".join(paragraphs[:20])
    if not doc.locality and (m := _LOCALITY_RE.search(intro)):
        doc.locality = m.group(2)
    national = [line.strip() for line in _before_type(head_text).split("\n") if line.strip() in NATIONAL_ISSUERS]
    if national:  # a law applies everywhere: Hà Nội is where it was signed, not its place
        doc.issuer, doc.locality = NATIONAL_ISSUERS[national[0]], ""
    elif issuer := issuer_block(_before_type(head_text).split("Số:")[0]):
        doc.issuer, locality = issuer
        doc.locality = doc.locality or locality
    elif m := _ISSUER_RE.search(intro):
        issuer = m.group(1).strip()
        if doc.locality and doc.locality not in issuer:
            issuer = f"{issuer} {doc.locality}"
        doc.issuer = issuer.replace("Ủy ban nhân dân", "UBND")
    doc.signer = _signer(paragraphs)
    doc.short_title = short_title(doc)
    return doc


def legal_name(doc: Document) -> str:
    """How a citation names a document: "Bộ luật Lao động" (a law by its title), else its type ("Nghị định")."""
    kind = (doc.doc_type or "văn bản").capitalize()
    if doc.doc_type in LAW_TYPES and doc.title:
        title = doc.title.capitalize() if doc.title.isupper() else doc.title
        return f"{kind} {title[:1].upper()}{title[1:]}"
    return kind


def short_name(doc: Document) -> str:
    """ "Bộ luật Lao động 2019", "Nghị định 145/2020/NĐ-CP": how people name the document; blank when unknown."""
    if doc.doc_type in LAW_TYPES and doc.title:
        year = doc.date_iso[:4] or next(iter(_YEAR_RE.findall(f"/{doc.number}/")), "")
        return f"{legal_name(doc)} {year}".strip()
    return f"{legal_name(doc)} {doc.number}" if doc.doc_type and doc.number[:1].isdigit() else ""


# The first document a title cites, with its number: "Nghị quyết số 71/NQ-CP", "Quyết định 1169/QĐ-TTg".
_CITED_RE = re.compile(r"\b(?:Nghị quyết|Quyết định|Kế hoạch|Chương trình|Chỉ thị|Luật|Nghị định|Thông tư|Đề án)"
                       r"(?: số)? [\w/.-]*\d[\w/.-]*")
SHORT_TITLE_WORDS = 16


def short_title(doc: Document) -> str:
    """How replies tell a document from another of the same issuer: a law's short name, else its trích yếu up to the
    first document it cites ("Triển khai thực hiện Nghị quyết số 71/NQ-CP"), or its first words."""
    if doc.doc_type in LAW_TYPES:
        return short_name(doc)
    words = doc.title.split()
    title = " ".join(words)
    if (m := _CITED_RE.search(title)) and len(title[: m.end()].split()) <= SHORT_TITLE_WORDS:
        return title[: m.end()]
    return " ".join(words[:SHORT_TITLE_WORDS // 2 + 3]) + ("…" if len(words) > SHORT_TITLE_WORDS // 2 + 3 else "")


def _before_type(head_text: str) -> str:
    """The issuer block sits above the document type line (KẾ HOẠCH...)."""
    lines = head_text.split("\n")
    end = next((i for i, line in enumerate(lines) if _TYPE_RE.match(line)), len(lines))
    return "\n".join(lines[:end])


def issuer_block(text: str) -> tuple[str, str] | None:
    """ "UBND TỈNH ĐỒNG NAI SỞ TƯ PHÁP" → ("Sở Tư pháp tỉnh Đồng Nai", "Đồng Nai")."""
    text = " ".join(text.split()).replace("ỦY BAN NHÂN DÂN", "UBND").replace("HỘI ĐỒNG NHÂN DÂN", "HĐND")
    runs = _CAPS_RUN_RE.findall(text)
    units = [u.strip(" ,") for run in runs for u in _UNIT_START_RE.split(run)]
    units = [u for u in units if len(u.split()) > 1 and re.match(_AGENCY, u)]
    if not units:
        return None
    place = next((m.group(2).title() for u in units if (m := _LEVEL_RE.search(u))), "")
    issuer = _unit_name(units[-1])
    if len(units) > 1 and not _LEVEL_RE.search(units[-1]):
        parent = _unit_name(units[0])
        # A Sở of the province is "Sở Tư pháp tỉnh Đồng Nai"; other units keep their parent's name.
        issuer += " " + (parent.split(" ", 1)[1] if parent.startswith("UBND ") and issuer.startswith("Sở") else parent)
    return issuer, place


def _unit_name(unit: str) -> str:
    """One unit of the block in reading case; place names in title case."""
    if m := _LEVEL_RE.search(unit):
        name = f"{_name_case(unit[: m.start()].strip())} {m.group(1).lower()} {m.group(2).title()}".strip()
        return name[:1].upper() + name[1:]  # "Tỉnh ủy Hà Tĩnh" when the unit is the level itself
    return _name_case(unit)


def _name_case(unit: str) -> str:
    """Vietnamese agency names capitalise the first syllable of each part: Sở Khoa học và Công nghệ."""
    words = unit.lower().split()
    out = []
    for i, word in enumerate(words):
        starts_part = i == 0 or words[i - 1] in ("và", "sở", "bộ", "ban", "cục", "phòng", "tâm") or \
            words[i - 1].endswith(",")
        out.append(_ACRONYMS.get(word) or (word[:1].upper() + word[1:] if starts_part else word))
    return " ".join(out)


def _signer(paragraphs: list[str]) -> str:
    """The name under the role line (GIÁM ĐỐC, KT. CHỦ TỊCH...) at the end of the document."""
    tail = [line.strip() for p in paragraphs[-6:] for line in p.splitlines() if line.strip()]
    if tail and _NAME_RE.match(tail[-1]) and any(_ROLE_RE.search(line) for line in tail[:-1]):
        return tail[-1]
    return ""
