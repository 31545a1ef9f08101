"""One spelling per place: "Nam Cường", "xã Nam Cường" and "Xa Nam Cuong" are the same locality.

Names are checked against the list the answerer uses (bot.places: 34 provinces and 3,321 communes
after the 2025 reorganisation) and against the localities of documents already stored, so a new
upload joins the place that is already there instead of becoming a second one.
"""
from __future__ import annotations

import re

from hoidap.places import Places
from hoidap.text import folded_text, normalize

_PREFIX_RE = re.compile(r"^(tinh|thanh pho|tp|xa|phuong|dac khu)\s+")
_COMMUNE_PREFIXES = {"xa": "xã", "phuong": "phường", "dac khu": "đặc khu"}


def bare(name: str) -> str:
    """The folded name without "tỉnh", "thành phố", "xã", "phường": what two spellings share."""
    return _PREFIX_RE.sub("", folded_text(name))


def normalise_locality(name: str, known: list[str]) -> str:
    """The one spelling of a place: an existing document's, else the official list's, else as typed."""
    name = normalize(name).strip(" ,.;")
    if not name:
        return ""
    key = bare(name)
    for other in known:
        if other and bare(other) == key:
            return other
    folded = folded_text(name)
    places = Places()
    prefix = next((p for p in _COMMUNE_PREFIXES if folded.startswith(p + " ")), None)
    if prefix is None:
        provinces = [p for p in places.named(key) if bare(p) == key]
        if provinces:
            return re.sub(r"^Tỉnh ", "", provinces[0])
    communes = [c for c in places.named(f"{prefix or 'xa'} {key}") if bare(c) == key]
    if communes:  # "Xã Nam Cường": the prefix the staff wrote (or the official one), lower-case mid-sentence
        official_prefix, _, rest = communes[0].partition(" ")
        return f"{_COMMUNE_PREFIXES[prefix] if prefix else official_prefix.lower()} {rest}"
    return name
