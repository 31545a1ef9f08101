"""Zip-based formats (DOCX, and any other Office or OpenDocument format a loader may add) unpacked within a budget.

`zipfile` trusts the sizes an archive declares only after the fact: `ZipFile.read` inflates a member in one call
(deflate up to 2 GB at once, bzip2 without a bound) and only then checks it against the declared size and CRC. So a
1.5 MB DOCX whose `word/document.xml` declares 5,000 bytes but holds 1.5 GB of deflate took a server from 180 MB
to 2.2 GB. Here every member is read in small chunks from `ZipFile.open`, counted as it comes, and given up past its
share of the budget; only the methods Office writes (stored, deflate) are accepted; and the parser gets a clean
copy of the archive, rebuilt from what was read, so nothing it reads can be larger than what was counted.
"""
from __future__ import annotations

import io
import zipfile

CHUNK = 64 * 1024
OFFICE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


class ArchiveError(ValueError):
    """An archive refused: the message says why, in Vietnamese, without the file's name (the caller adds it)."""


def checked_copy(raw: bytes, max_member: int, max_total: int, max_members: int = 2000) -> bytes:
    """A rebuilt copy of the zip archive `raw` once every member has been read within the budget: at most `max_member`
    bytes unpacked per member and `max_total` in all, in stored or deflate members only. Raises ArchiveError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ArchiveError("bị hỏng, không mở được") from exc
    if len(members) > max_members:
        raise ArchiveError(f"có {len(members)} phần, vượt giới hạn {max_members}")
    declared = [info.file_size for info in members] or [0]
    if max(declared) > max_member or sum(declared) > max_total:  # refused at once, before reading anything
        raise ArchiveError(f"giải nén ra {sum(declared) / 2**20:.0f} MB, vượt giới hạn {max_total // 2**20} MB "
                           f"(mỗi phần tối đa {max_member // 2**20} MB)")
    out = io.BytesIO()
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:  # stored: the parser reads no inflation of its own
        for info in members:
            if info.compress_type not in OFFICE_METHODS:
                raise ArchiveError(f"phần {info.filename[:80]!r} nén theo cách Office không dùng (mã {info.compress_type})")
            data = _read_member(archive, info, min(max_member, max_total - total))
            total += len(data)
            copy.writestr(info.filename, data)
    return out.getvalue()


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """One member, chunk by chunk, given up as soon as it passes `budget` or what it declares."""
    if info.file_size > budget:
        raise ArchiveError(f"phần {info.filename[:80]!r} giải nén ra {info.file_size / 2**20:.0f} MB, vượt giới hạn "
                           f"{budget / 2**20:.0f} MB")
    parts, read = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):  # never more than CHUNK bytes inflated at once
                read += len(chunk)
                if read > info.file_size or read > budget:
                    raise ArchiveError(f"phần {info.filename[:80]!r} giải nén ra nhiều hơn kích thước khai báo")
                parts.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:  # a CRC that lies, …
        raise ArchiveError(f"phần {info.filename[:80]!r} hỏng hoặc khai báo sai kích thước") from exc
    return b"".join(parts)
