"""Writing into the files folder (HOIDAP_FILES_DIR). Several replicas may share it (NFS, docs/deploy.md), so a
file appears there whole or not at all: written under a temporary name in the same folder, then renamed into
place (os.replace, atomic on one filesystem), and a new name is taken exclusively (O_EXCL), never by two."""
from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")  # same folder: the rename stays atomic
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def move(src: Path, dst: Path) -> None:
    """A rename; across filesystems (a local <data_dir>/uploads file into a shared folder), an atomic copy, then
    the source deleted."""
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        write_atomic(dst, src.read_bytes())
        src.unlink()


def claim(folder: Path, name: str) -> Path:
    """A new empty file `name` in `folder` ("name-2", … when taken), created exclusively: two replicas storing
    uploads of one name at the same moment each get their own."""
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / name, 2
    while True:
        try:
            path.touch(exist_ok=False)
            return path
        except FileExistsError:
            path, n = folder / f"{Path(name).stem}-{n}{Path(name).suffix}", n + 1
