"""document → passages → store, incrementally by content hash."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from collections.abc import Callable, Iterable

from hoidap.files import write_atomic
from hoidap.models import Document
from hoidap.store import Store
from hoidap.text import fold
from ingest.chunking import chunk
from ingest.loaders import SUPPORTED, LoadedFile, LoadError
from ingest.sandbox import load_bounded
from ingest.localities import normalise_locality
from ingest.metadata import extract_metadata

MANIFEST = "manifest.json"
_DOC_FIELDS = {f.name for f in fields(Document)}


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one Vietnamese message per failed file
    warnings: list[str] = field(default_factory=list)


def doc_id_for(path: Path) -> str:
    """A stable, URL-safe id from the file name: "KH 45 Đồng Nai.pdf" → "kh-45-dong-nai"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(path.stem)).strip("-")
    return slug or "van-ban"


def read_manifest(folder: Path) -> dict[str, dict]:
    """Staff overrides per file name: {"file.pdf": {"issuer": ..., "source_url": ...}}."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: {k: v for k, v in entry.items() if k in _DOC_FIELDS} for name, entry in data.items()}


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: the given files, and the supported files inside given folders."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED))
        else:
            out.append(path)
    return out


def ingest_file(store: Store, files_dir: Path, path: Path, overrides: dict, force: bool = False,
                loaded: LoadedFile | None = None, fallback: dict | None = None) -> tuple[str, str]:
    """Ingest one file; returns (doc_id, "added" | "updated" | "unchanged"). Raises LoadError.
    `loaded`: the file already read by the caller (the admin reads it once to look for duplicates).
    `fallback`: values for fields that neither `overrides` nor the text give (a replaced version's)."""
    data = path.read_bytes() if path.is_file() else b""
    if not data:
        raise LoadError(f"{path.name}: tệp rỗng hoặc không tồn tại")
    digest = hashlib.sha256(data + json.dumps(overrides, sort_keys=True).encode()).hexdigest()
    doc_id = overrides.get("id") or doc_id_for(path)
    old = store.document(doc_id)
    if old and old.sha256 == digest and not force:
        return doc_id, "unchanged"
    loaded = loaded or load_bounded(path)  # within a CPU and memory budget (ingest/sandbox.py)
    text = "\n\n".join(loaded.pages)
    doc = extract_metadata(doc_id, text)
    for key, value in overrides.items():
        setattr(doc, key, value)
    for key, value in (fallback or {}).items():
        if not getattr(doc, key):
            setattr(doc, key, value)
    doc.locality = normalise_locality(doc.locality, [d.locality for d in store.documents() if d.id != doc_id])
    doc.file_name, doc.source_path, doc.sha256 = path.name, str(path.resolve()), digest
    doc.page_count = len(loaded.pages)
    passages = chunk(doc, loaded.pages, paged=path.suffix.lower() == ".pdf")
    write_atomic(files_dir / f"{doc_id}{path.suffix.lower()}", data)  # another replica may be serving it
    store.put_document(doc, passages)
    return doc_id, "updated" if old else "added"


def ingest_paths(
    store: Store,
    files_dir: Path,
    paths: Iterable[Path],
    force: bool = False,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda it: it,
) -> IngestReport:
    """Ingest files and folders. A folder is mirrored: documents whose file left it are removed."""
    paths = [Path(p) for p in paths]
    report = IngestReport()
    seen: set[str] = set()
    manifests: dict[Path, dict] = {}
    for path in progress(expand(paths)):
        folder = path.parent
        try:
            if folder not in manifests:
                manifests[folder] = read_manifest(folder)
            doc_id, outcome = ingest_file(store, files_dir, path, manifests[folder].get(path.name, {}), force)
        except (LoadError, OSError, ValueError) as exc:
            report.errors.append(str(exc) if isinstance(exc, LoadError) else f"{path.name}: {exc}")
            continue
        seen.add(doc_id)
        getattr(report, outcome).append(doc_id)
    folders = [p.resolve() for p in paths if p.is_dir()]
    for doc in store.documents():
        source = Path(doc.source_path)
        if doc.id not in seen and any(source.is_relative_to(f) for f in folders) and not source.exists():
            store.remove_document(doc.id)
            report.removed.append(doc.id)
    return report
