"""Vietnam's provinces and communes after the 2025 reorganisation (34 provinces, 3,321 communes), from the
`vietnam-provinces` package, to recognise a question about a place that has no plan in the corpus."""
from __future__ import annotations

import re
from functools import lru_cache

from hoidap.text import folded_text

_PROVINCE_PREFIX_RE = re.compile(r"^(tinh|thanh pho)\s+")
# Nghị quyết 202/2025/QH15: the 29 provinces merged into another on 1 July 2025, each with the province it is part of
# now. People still name them ("Bình Phước" is Đồng Nai now: its plans are Đồng Nai's).
FORMER_PROVINCES = {
    "Hà Giang": "Tuyên Quang", "Yên Bái": "Lào Cai", "Bắc Kạn": "Thái Nguyên", "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ", "Bắc Giang": "Bắc Ninh", "Thái Bình": "Hưng Yên", "Hải Dương": "Thành phố Hải Phòng",
    "Hà Nam": "Ninh Bình", "Nam Định": "Ninh Bình", "Quảng Bình": "Quảng Trị", "Quảng Nam": "Thành phố Đà Nẵng",
    "Kon Tum": "Quảng Ngãi", "Bình Định": "Gia Lai", "Ninh Thuận": "Khánh Hòa", "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng", "Phú Yên": "Đắk Lắk", "Bình Dương": "Thành phố Hồ Chí Minh",
    "Bà Rịa - Vũng Tàu": "Thành phố Hồ Chí Minh", "Vũng Tàu": "Thành phố Hồ Chí Minh", "Bình Phước": "Đồng Nai",
    "Long An": "Tây Ninh", "Sóc Trăng": "Thành phố Cần Thơ", "Hậu Giang": "Thành phố Cần Thơ", "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long", "Tiền Giang": "Đồng Tháp", "Bạc Liêu": "Cà Mau", "Kiên Giang": "An Giang",
}
# Former names that are also common words ("hòa bình": peace), recognised only with "tỉnh" before them.
_WORD_LIKE = {"hoa binh"}
_COMMUNE_PREFIX = r"(?:xa|phuong|dac khu)"
_CLAUSE_BREAK_RE = re.compile(r"[,;:!?()\[\]\n]|\.(?:\s|$)")  # "TP.HCM" keeps its dot


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """(folded province name → name, folded commune name → name)."""
    from vietnam_provinces import Province, Ward

    provinces: dict[str, str] = {}
    for p in Province.iter_all():
        bare = _PROVINCE_PREFIX_RE.sub("", folded_text(p.name))
        provinces[bare] = p.name
        words = bare.split()
        if len(words) >= 3:  # "Hồ Chí Minh" is written HCM, TP.HCM
            provinces["".join(w[0] for w in words)] = p.name
            provinces["tp" + "".join(w[0] for w in words)] = p.name
    for former in FORMER_PROVINCES:
        bare = folded_text(former)
        provinces[f"tinh {bare}" if bare in _WORD_LIKE else bare] = former
    communes = {re.sub(rf"^{_COMMUNE_PREFIX}\s+", "", folded_text(w.name)): w.name for w in Ward.iter_all()}
    return provinces, communes


class Places:
    def named(self, text: str) -> list[str]:
        """Provinces named anywhere, communes only after "xã"/"phường" (many commune names are common words); a
        name never runs across punctuation ("cán bộ xã, văn bản …" names no "xã Vân Bản")."""
        provinces, communes = _names()
        found = []
        for clause in _CLAUSE_BREAK_RE.split(text):
            folded = folded_text(clause)
            q = f" {folded} "
            found += [name for bare, name in provinces.items() if f" {bare} " in q]
            for m in re.finditer(rf"\b{_COMMUNE_PREFIX}\s+(\w+(?: \w+){{0,2}})", folded):
                words = m.group(1).split()
                for n in (3, 2, 1):  # the longest commune name that starts there
                    name = " ".join(words[:n])
                    if len(words) >= n and name in communes:
                        found.append(communes[name])
                        break
        return list(dict.fromkeys(found))
