"""Admin uploads as background jobs, on huey: any replica accepts an upload and queues it; exactly one worker
takes it off the queue (huey's dequeue is atomic) and ingests it; the job's state and progress are kept in the
store, so the admin page of every replica shows them.

huey, because one small, maintained library queues on both engines this product runs on: SQLite (a file in the
data directory: nothing to configure, processes of one machine) and Redis (HOIDAP_REDIS_URL: several machines).
Who runs jobs (HOIDAP_SERVE_JOBS): the web process that received the upload, in a thread, right away (the
default, so `bash scripts/start.sh` needs nothing more); or only `hoidap worker` processes (docs/deploy.md).
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time

from huey import RedisHuey, SqliteHuey

from channels.web.admin_documents import PENDING_TOKEN_RE, Upload, ingest_upload
from hoidap.files import write_atomic
from hoidap.versions import DocumentVersions
from hoidap.wiring import Hoidap

log = logging.getLogger("hoidap.jobs")
WAIT_S = 10  # the upload page waits this long for its job, then says it goes on in the background


class Jobs:
    def __init__(self, hoidap: Hoidap, versions: DocumentVersions):
        self.hoidap, self.versions, self.store = hoidap, versions, hoidap.store
        settings = hoidap.settings
        if settings.redis_url:
            self.queue = RedisHuey(f"{settings.redis_prefix}jobs", url=settings.redis_url)
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.queue = SqliteHuey("jobs", filename=str(settings.data_dir / "jobs.sqlite"))
        self._ingest = self.queue.task(name="ingest-upload")(self._run)
        self._draining = threading.Lock()
        self.wait_s = WAIT_S

    def submit(self, upload: Upload, values: dict, by: str, replacing: str = "", separate: bool = False) -> str:
        """Queue one upload; returns the job's id (it sorts by time: the admin page lists newest first)."""
        job_id = f"{time.time_ns():x}-{secrets.token_hex(3)}"
        self.store.add_job(job_id, upload.name or "tệp chờ", by)
        self._ingest(job_id, upload, values, by, replacing, separate)
        if self.hoidap.settings.serve_jobs:
            threading.Thread(target=self.drain, name="hoidap-jobs", daemon=True).start()
        return job_id

    def drain(self) -> None:
        """Run the queued jobs in this process until none is left (one thread at a time here)."""
        if not self._draining.acquire(blocking=False):
            return  # the running drain takes the new job too
        try:
            while (task := self.queue.dequeue()) is not None:
                self.queue.execute(task)
        finally:
            self._draining.release()
        if self.queue.pending_count():  # queued just as the loop ended
            self.drain()

    def consume(self) -> None:
        """`hoidap worker`: take jobs off the queue until stopped (SIGTERM, as systemd sends: after the job under
        way; SIGINT: at once)."""
        self.queue.create_consumer(workers=1, worker_type="thread", graceful_signal="TERM").run()

    def outcome(self, job_id: str) -> dict:
        """What the upload page shows: the job's result when it ends within `wait_s`, else that it goes on."""
        deadline = time.monotonic() + self.wait_s
        while (job := self.store.job(job_id)).state in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)
        if job.state in ("done", "failed"):
            return json.loads(job.result)
        return {"ok": f"Đã nhận tệp {job.file_name}; đang nạp ở nền ({job.progress or 'đang chờ'}). "
                      "Tiến độ ở bảng “Việc nạp gần đây” bên dưới.", "status": 202}

    def _run(self, job_id: str, upload: Upload, values: dict, by: str, replacing: str, separate: bool) -> None:
        def step(text: str) -> None:
            self.store.update_job(job_id, "running", text)

        step("Đang đọc tệp")
        cache = self.hoidap.retriever.cache
        if cache:  # embedding is the long part: its count is the progress shown
            cache.progress = lambda total: _Embedding(step, total)
        try:
            result = self._ingest_upload(upload, values, by, replacing, separate, step)
        except Exception:  # the job says it failed; the worker goes on with the next one
            log.exception("job %s failed", job_id)
            result = {"error": f"Không nạp được {upload.name}: lỗi máy chủ, xem nhật ký của tiến trình nạp.", "status": 500}
        finally:
            if cache:
                cache.progress = None
        self.store.update_job(job_id, "done" if "ok" in result else "failed", result=json.dumps(result, default=_plain))

    def _ingest_upload(self, upload: Upload, values: dict, by: str, replacing: str, separate: bool, step) -> dict:
        pending = self.hoidap.settings.pending_dir  # in the files folder: a replica confirms what another refused
        if upload.pending:
            folder = pending / upload.pending
            files = list(folder.iterdir()) if PENDING_TOKEN_RE.match(upload.pending) and folder.is_dir() else []
            if not files:
                return {"error": "Tệp chờ đã hết hạn. Vui lòng chọn lại tệp.", "status": 400}
            staged = files[0]
        else:
            staged = pending / secrets.token_urlsafe(16) / upload.name
            write_atomic(staged, upload.data)
        doc = self.store.document(replacing) if replacing else None
        if replacing and doc is None:
            return {"error": f"Không có văn bản {replacing}.", "status": 404}
        return ingest_upload(self.hoidap, self.versions, staged, values, by, doc, separate, step)


def _plain(value):
    return value.to_dict()  # a Document in a duplicate refusal


def duration(seconds: float) -> str:
    """ "40 giây", "3 phút": the time left as staff read it."""
    return f"{max(1, round(seconds))} giây" if seconds < 90 else f"{round(seconds / 60)} phút"


class _Embedding:
    """VectorCache's progress bar, written into the job instead of a terminal, with the time left."""

    def __init__(self, step, total: int):
        self.step, self.total, self.done = step, total, 0
        self.started = time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        left = (time.monotonic() - self.started) / self.done * (self.total - self.done)
        self.step(f"Đang nhúng vector {self.done}/{self.total} đoạn, còn khoảng {duration(left)}")

    def close(self) -> None:
        self.step("Đang công bố chỉ mục")
