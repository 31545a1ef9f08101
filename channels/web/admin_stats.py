"""Staff statistics over a date range, on screen and as CSV for periodic reports."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from channels.web.admin import require_admin
from channels.web.deps import LogDep, templates
from channels.web.logs import ConversationLog
from hoidap.text import syllables

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])

DECLINED = {"out_of_scope"}
STOPWORDS = frozenset((  # noqa: SIM905 - question words and fillers, not topics
    "là gì của và có không nào các những cho được trong về với thì như thế bao nhiêu ai đâu khi "
    "này đó ở tại theo từ đến ra sao hay hoặc bị do mà một hãy tôi em anh chị xin "
    "hỏi muốn biết vui lòng ạ nhé vậy"
).split())


@dataclass
class Stats:
    start: date
    end: date  # inclusive
    total: int = 0
    by_status: Counter = field(default_factory=Counter)
    daily: dict[str, Counter] = field(default_factory=dict)
    topics: list[tuple[str, int]] = field(default_factory=list)
    cited: list[tuple[str, int]] = field(default_factory=list)
    unanswered: list[tuple[str, int]] = field(default_factory=list)
    feedback: list = field(default_factory=list)

    def votes(self, rating: int) -> int:
        return sum(1 for f in self.feedback if f["rating"] == rating)

    def share(self, *statuses: str) -> str:
        count = sum(self.by_status[s] for s in statuses)
        return f"{100 * count / self.total:.0f}%" if self.total else "—"


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    try:
        end_d = date.fromisoformat(end) if end else date.today()
        start_d = date.fromisoformat(start) if start else end_d - timedelta(days=29)
    except ValueError:
        raise HTTPException(400, "Ngày không hợp lệ (định dạng YYYY-MM-DD).") from None
    if start_d > end_d:
        raise HTTPException(400, "Ngày bắt đầu phải trước ngày kết thúc.")
    return start_d, end_d


def topic_words(question: str) -> list[str]:
    """Two-syllable content words (Vietnamese words are mostly two syllables): 'chuyển đổi'."""
    words = [w.lower() for w in syllables(question)]
    return [f"{a} {b}" for a, b in pairwise(words)
            if a not in STOPWORDS and b not in STOPWORDS and not (a.isdigit() and b.isdigit())]


def compute(log: ConversationLog, start: date, end: date) -> Stats:
    stats = Stats(start, end)
    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    topics, cited, unanswered = Counter(), Counter(), Counter()
    for row in log.conversations(lo, hi):
        stats.total += 1
        stats.by_status[row["status"]] += 1
        stats.daily.setdefault(row["created_at"][:10], Counter())[row["status"]] += 1
        topics.update(set(topic_words(row["question"])))
        for c in json.loads(row["cited"])[:1]:  # the passage the answer leads with
            cited[f"{c['doc_id']} › {c['section'].split(' › ')[0]}"] += 1
        if row["status"] == "not_found":
            unanswered[row["question"].strip().lower()] += 1
    stats.topics, stats.cited = topics.most_common(20), cited.most_common(20)
    stats.unanswered = unanswered.most_common(100)
    stats.feedback = log.feedback(lo, hi)
    return stats


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, log: LogDep, start: str | None = None, end: str | None = None):
    start_d, end_d = _period(start, end)
    today = date.today()
    presets = [("30 ngày", today - timedelta(days=29)), ("6 tháng", today - timedelta(days=182)),
               ("1 năm", today - timedelta(days=364))]
    return templates.TemplateResponse(request, "admin_stats.html", {
        "s": compute(log, start_d, end_d), "presets": presets, "today": today,
    })


CSV_KINDS = {"daily": "theo-ngay", "topics": "chu-de", "unanswered": "chua-tra-loi", "feedback": "gop-y"}


def _rows(kind: str, s: Stats) -> list[list]:
    if kind == "daily":
        rows = [["Ngày", "Tổng", "Đã trả lời", "Không tìm thấy", "Từ chối", "Khác"]]
        for day, c in sorted(s.daily.items()):
            total, declined = c.total(), sum(c[x] for x in DECLINED)
            rows.append([day, total, c["answered"], c["not_found"], declined,
                         total - c["answered"] - c["not_found"] - declined])
        return rows
    if kind == "topics":
        return ([["Loại", "Chủ đề", "Số câu hỏi"]] + [["Từ khóa", t, n] for t, n in s.topics]
                + [["Văn bản › mục được trích", t, n] for t, n in s.cited])
    if kind == "unanswered":
        return [["Câu hỏi chưa trả lời được", "Số lần"]] + [[q, n] for q, n in s.unanswered]
    return [["Thời điểm (UTC)", "Đánh giá", "Góp ý", "Câu hỏi", "Kết quả"]] + [
        [f["created_at"], "👍" if f["rating"] > 0 else "👎", f["comment"], f["question"], f["status"]]
        for f in s.feedback
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


@router.get("/stats.csv")
def stats_csv(log: LogDep, kind: str = "daily", start: str | None = None, end: str | None = None):
    if kind not in CSV_KINDS:
        raise HTTPException(400, f"Loại báo cáo không hợp lệ; chọn một trong: {', '.join(CSV_KINDS)}.")
    start_d, end_d = _period(start, end)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM, so Excel opens Vietnamese text correctly
    # Citizens write the questions and comments: none of their text may become a formula in Excel.
    csv.writer(buffer).writerows([neutralise(cell) for cell in row] for row in _rows(kind, compute(log, start_d, end_d)))
    name = f"hoidap-{CSV_KINDS[kind]}-{start_d}-{end_d}.csv"
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
