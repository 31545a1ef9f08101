"""Read one file in a child process with a CPU-time and memory budget, so a crafted file costs seconds, not minutes.

A 5.8 KB PDF whose 5 pages share one 3 MB content stream took the loader 64 s and 452 MB; a 74 KB DOCX of tiny
paragraphs 40 s of CPU and 600 MB. Limits inside the loaders cannot see every such case, a budget around them can:
each file is read in a forked child process (it starts in milliseconds, with the loaders already imported, and runs
nothing but the loader: no thread of the parent's is needed there) under `RLIMIT_CPU` and an `RLIMIT_AS` of what it
already maps plus the budget, and given up after a wall-clock time too (OCR runs in tesseract's own processes). The
budget grows with the file's size: a real 300-page plan gets minutes, a few kilobytes get seconds.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import LoadedFile, LoadError, load

# fork: no script is imported again in the child (a forkserver or spawn would re-run the caller's main module)
_CONTEXT = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Budget:
    """What reading one file may cost."""

    cpu_s: int  # CPU seconds of the reading process
    memory_bytes: int  # address space it may add to what it maps when it starts (the parent's, inherited)
    wall_s: int  # elapsed seconds, OCR included

    @classmethod
    def for_size(cls, size: int) -> Budget:
        """10 s of CPU and 1 GiB to start with, 2 s and 16 MiB more per 100 KB of file (capped at 10 min, 4 GiB)."""
        hundreds = size / 100_000
        cpu = min(int(10 + 2 * hundreds), 600)
        return cls(cpu, min(2**30 + int(hundreds * 16 * 2**20), 4 * 2**30), min(3 * cpu + 30, 1800))


def load_bounded(path: Path, budget: Budget | None = None) -> LoadedFile:
    """`ingest.loaders.load` in a child process within `budget` (by default, one for the file's size)."""
    path = Path(path)
    try:
        budget = budget or Budget.for_size(path.stat().st_size)
    except OSError:
        return load(path)  # load says what is wrong with it, in Vietnamese
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_read, args=(str(path), budget, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(budget.wall_s):
            child.kill()
            raise LoadError(f"{path.name}: đọc quá {budget.wall_s} giây, dừng — tệp quá nặng hoặc bất thường, không nạp")
        kind, value = receiver.recv()
    except EOFError:  # the child died: over its CPU time (SIGXCPU, SIGKILL) or its memory
        child.join(5)
        raise LoadError(f"{path.name}: {_death(child.exitcode, budget)} — tệp quá nặng hoặc bất thường, không nạp") from None
    finally:
        receiver.close()
        child.join(5)
    if kind == "loaded":
        return value
    raise LoadError(value)


def _death(exitcode: int | None, budget: Budget) -> str:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"xử lý quá {budget.cpu_s} giây CPU"
    return f"vượt giới hạn {budget.memory_bytes // 2**20} MB bộ nhớ khi đọc"


def _read(path: str, budget: Budget, sender) -> None:
    """In the child: the limits, then the loader; the result (or what went wrong) back through the pipe."""
    resource.setrlimit(resource.RLIMIT_CPU, (budget.cpu_s, budget.cpu_s + 5))
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (mapped + budget.memory_bytes, mapped + budget.memory_bytes))
    try:
        sender.send(("loaded", load(Path(path))))
    except LoadError as exc:
        sender.send(("refused", str(exc)))
    except MemoryError:
        sender.send(("refused", f"{Path(path).name}: vượt giới hạn {budget.memory_bytes // 2**20} MB bộ nhớ khi đọc"
                                " — tệp quá nặng hoặc bất thường, không nạp"))
    except Exception as exc:  # the loaders name what they refuse; anything else is a file they cannot read
        sender.send(("refused", f"{Path(path).name}: không đọc được ({type(exc).__name__})"))
    finally:
        sender.close()
