"""Progress of a document load for the admin page: the file being read, then passages embedded / total and the
time left. Kept in the shared state (hoidap.shared), so the admin page of any worker reads what the loading one
writes; the loading worker's `Retriever.progress` feeds it."""
from __future__ import annotations

import time
from collections.abc import Callable

from hoidap.shared import LocalState, RedisState

KEY = "ingest"
KEEP_S = 3600  # a record nobody updated for an hour belongs to a load that died
DONE_KEEP_S = 60


def duration(seconds: float) -> str:
    """ "40 giây", "3 phút": the time left as staff read it."""
    return f"{max(1, round(seconds))} giây" if seconds < 90 else f"{round(seconds / 60)} phút"


class IngestProgress:
    def __init__(self, shared: LocalState | RedisState, clock: Callable[[], float] = time.time):
        self.shared, self.clock = shared, clock
        self._record: dict = {}

    def _put(self, record: dict, keep_s: float = KEEP_S) -> None:
        self._record = record
        self.shared.note(KEY, record, keep_s)

    def begin(self, file_name: str) -> None:
        """Staff sent a file: it is read and cut into passages before anything is embedded."""
        self._put({"phase": "reading", "file": file_name, "done": 0, "total": 0})

    def embedding(self, total: int) -> IngestProgress:
        """`Retriever.progress`: a rebuild starts embedding `total` passages (a load from the command line too)."""
        current = self.shared.noted(KEY) or {}
        file_name = current.get("file", "") if current.get("phase") == "reading" else ""
        self._put({"phase": "embedding", "file": file_name, "done": 0, "total": total, "since": self.clock()})
        return self

    def update(self, n: int) -> None:
        self._put({**self._record, "done": self._record["done"] + n, "at": self.clock()})

    def close(self) -> None:
        self._put({**self._record, "phase": "indexing"})

    def finish(self) -> None:
        self._put({**self._record, "phase": "done"}, DONE_KEEP_S)

    def status(self) -> dict:
        """The record with `seconds_left` (None until a batch is done) and a Vietnamese line to show."""
        record = self.shared.noted(KEY) or {"phase": "idle", "file": "", "done": 0, "total": 0}
        done, total, name = record["done"], record["total"], record["file"] or "văn bản"
        left = None
        if record["phase"] == "embedding" and done:
            left = (record["at"] - record["since"]) / done * (total - done)
        text = {
            "idle": "",
            "reading": f"Đang đọc và cắt đoạn {name}…",
            "embedding": f"Đang nạp {name}: đã nhúng vector {done}/{total} đoạn, "
                         + (f"còn khoảng {duration(left)}." if left is not None else "đang ước tính thời gian còn lại…"),
            "indexing": f"Đang cập nhật chỉ mục tìm kiếm cho {name}…",
            "done": f"Đã nạp xong {name}.",
        }[record["phase"]]
        return {**record, "seconds_left": left, "text": text}
