"""Read the metadata of a Vietnamese administrative document from its head and tail."""
from __future__ import annotations

import re

from hoidap.models import Document
from hoidap.text import normalize

DOC_TYPES = (
    "KẾ HOẠCH", "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "CHỈ THỊ", "THÔNG TƯ", "NGHỊ ĐỊNH", "LUẬT",
    "CHƯƠNG TRÌNH", "HƯỚNG DẪN", "THÔNG BÁO", "BÁO CÁO", "CÔNG VĂN", "ĐỀ ÁN", "QUY CHẾ",
)
_TYPE_RE = re.compile(r"^\W*(" + "|".join(DOC_TYPES) + r")\b\W*")
_NUMBER_RE = re.compile(r"Số\s*:\s*(\d*)\s*(/[\w\-Đđ]+)")
# "Đồng Nai, ngày 12 tháng 8 năm 2025"; the day may be left blank until signing.
_PLACE_DATE_RE = re.compile(
    r"((?:TP\. ?)?[A-ZĐ]\w*(?: [A-ZĐ]\w*){0,3}),\s*(ngày\s*(\d{0,2})\s*tháng\s*(\d{0,2})\s*năm\s*(\d{4}))"
)
# "Sở Tư pháp xây dựng Kế hoạch", "UBND xã Nam Cường ban hành Kế hoạch"
_ISSUER_RE = re.compile(
    r"((?:Sở|Ủy ban nhân dân|UBND|Ban|Bộ)\s[\w ]{2,60}?)\s+(?:xây dựng|ban hành)\s+(?:Kế hoạch|Quyết định|Nghị quyết)"
)
_LOCALITY_RE = re.compile(r"trên địa bàn (tỉnh|thành phố|xã|phường|huyện)\s+([A-ZĐ][\w]*(?:\s[A-ZĐ][\w]*){0,3})")
_ROLE_RE = re.compile(r"^(KT\.\s*)?(GIÁM ĐỐC|PHÓ GIÁM ĐỐC|CHỦ TỊCH|PHÓ CHỦ TỊCH|TM\..*|BỘ TRƯỞNG|THỦ TƯỚNG)\W*$")
_NAME_RE = re.compile(r"^[A-ZĐ][\w]*(?:\s[A-ZĐ][\w]*){1,4}$")
_PREAMBLE_RE = re.compile(r"(?:^|\s)(?:Thực hiện|Căn cứ|Xét đề nghị)\s")


def extract_metadata(doc_id: str, text: str) -> Document:
    """Best-effort fields from the document text; blanks where the text does not say."""
    paragraphs = [normalize(p.strip().strip("*").strip()) for p in text.split("\n\n") if p.strip()]
    head = paragraphs[:12]
    doc = Document(id=doc_id)

    for i, para in enumerate(head):
        if _TYPE_RE.match(para):
            doc.doc_type = _TYPE_RE.match(para).group(1)
            title = []
            for follow in head[i + 1 :]:
                if (cut := _PREAMBLE_RE.search(follow)) and cut.start() > 0:
                    title.append(follow[: cut.start()])  # a wrapped title run into the preamble
                if cut or re.match(r"^[IVX]+\.\s", follow):
                    break
                title.append(follow)
            doc.title = " ".join(title)
            break

    head_text = "\n".join(head)
    if m := _NUMBER_RE.search(head_text):
        doc.number = (m.group(1) + m.group(2)).strip()
    if m := _PLACE_DATE_RE.search(head_text):
        place, doc.date, day, month, year = m.groups()
        doc.place = doc.locality = place
        if day and month:
            doc.date_iso = f"{year}-{int(month):02d}-{int(day):02d}"
    intro = "\n".join(paragraphs[:20])
    if not doc.locality and (m := _LOCALITY_RE.search(intro)):
        doc.locality = m.group(2)
    if m := _ISSUER_RE.search(intro):
        issuer = m.group(1).strip()
        if doc.locality and doc.locality not in issuer:
            issuer = f"{issuer} {doc.locality}"
        doc.issuer = issuer.replace("Ủy ban nhân dân", "UBND")
    doc.signer = _signer(paragraphs)
    return doc


def _signer(paragraphs: list[str]) -> str:
    """The name under the role line (GIÁM ĐỐC, KT. CHỦ TỊCH...) at the end of the document."""
    tail = [line.strip() for p in paragraphs[-6:] for line in p.splitlines() if line.strip()]
    if tail and _NAME_RE.match(tail[-1]) and any(_ROLE_RE.match(line) for line in tail[:-1]):
        return tail[-1]
    return ""
