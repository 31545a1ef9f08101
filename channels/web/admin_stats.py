"""The report for a period (6 months, a year, or chosen dates), on screen, printable to PDF, and as CSV.

Every count is by Vietnam time (Asia/Ho_Chi_Minh): a question asked at 06:00 on 1 May in Hà Nội is in
1 May, not 30 April as UTC has it.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from channels.web.admin import require_admin
from channels.web.charts import LABELS, bars, stacked_columns
from channels.web.deps import HoidapDep, LogDep, templates
from channels.web.logs import ConversationLog
from channels.web.queue import DECLINED, STATUSES, Group, groups, help_to_content
from channels.web.topics import Topics
from channels.web.vntime import to_vn, today, utc_bounds
from hoidap.wiring import Hoidap

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])
OUTCOMES = {"answered": ("answered",), "declined": DECLINED, "clarify": ("clarify",)}  # the rest: "other"
CHANNELS = {"web": "Trang web, widget", "telegram": "Telegram", "zalo": "Zalo", "messenger": "Messenger"}


def outcome(row: dict) -> str:
    """The report's outcome of a logged answer; the help text given to a question with content was not an answer."""
    if help_to_content(row):
        return "declined"
    return next((kind for kind, statuses in OUTCOMES.items() if row["status"] in statuses), "other")


@dataclass
class Report:
    start: date
    end: date  # inclusive
    total: int = 0
    outcomes: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    daily: dict[str, Counter] = field(default_factory=dict)  # "2026-05-01" (Vietnam) → outcome counts
    weekly: dict[str, Counter] = field(default_factory=dict)  # Monday of the week → outcome counts
    topics: list[tuple[str, int]] = field(default_factory=list)
    cited: list[tuple[str, int]] = field(default_factory=list)  # document titles
    unanswered: list[Group] = field(default_factory=list)
    feedback: list = field(default_factory=list)

    def votes(self, rating: int) -> int:
        return sum(1 for f in self.feedback if f["rating"] == rating)

    def share(self, kind: str) -> str:
        return f"{100 * self.outcomes[kind] / self.total:.0f}%" if self.total else "—"

    def vote_share(self, rating: int) -> str:
        votes = len(self.feedback)
        return f"{100 * self.votes(rating) / votes:.0f}%" if votes else "—"


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    try:
        end_d = date.fromisoformat(end) if end else today()
        start_d = date.fromisoformat(start) if start else end_d - timedelta(days=29)
    except ValueError:
        raise HTTPException(400, "Ngày không hợp lệ (định dạng YYYY-MM-DD).") from None
    if start_d > end_d:
        raise HTTPException(400, "Ngày bắt đầu phải trước ngày kết thúc.")
    return start_d, end_d


def _title(hoidap: Hoidap, doc_id: str) -> str:
    doc = hoidap.store.document(doc_id)
    if doc is None:
        return f"{doc_id} (đã xóa)"
    name = f"{doc.doc_type.capitalize()} {doc.number}".strip()
    return f"{name} – {doc.title}" if doc.title else name or doc.id


def compute(hoidap: Hoidap, log: ConversationLog, start: date, end: date) -> Report:
    report = Report(start, end)
    lo, hi = utc_bounds(start, end)
    topics = Topics([p.text for p in hoidap.store.passages()])
    topic_counts, cited = Counter(), Counter()
    for row in log.conversations(lo, hi):
        day = to_vn(row["created_at"]).date()
        kind = outcome(row)
        report.total += 1
        report.outcomes[kind] += 1
        report.channels[row["channel"]] += 1
        report.daily.setdefault(day.isoformat(), Counter())[kind] += 1
        report.weekly.setdefault((day - timedelta(days=day.weekday())).isoformat(), Counter())[kind] += 1
        topic_counts.update(topics.terms(row["question"]))
        for c in json.loads(row["cited"])[:1]:  # the document the answer leads with
            if c["doc_id"]:
                cited[c["doc_id"]] += 1
    report.topics = topic_counts.most_common(20)
    report.cited = [(_title(hoidap, doc_id), n) for doc_id, n in cited.most_common(20)]
    report.unanswered = groups(log, start, end)
    report.feedback = log.feedback(lo, hi)
    return report


def regime_periods(now: date) -> list[tuple[str, date, date]]:
    """The reporting periods of Nghị định 09/2019/NĐ-CP (Điều 12) running now: data cut from the 15th of the month
    before a period to the 14th of its last month, so the 6-month report covers 15/12 of the year before to 14/6 and
    the yearly one 15/12 to 14/12; the quarter likewise (15/12–14/3, 15/3–14/6, 15/6–14/9, 15/9–14/12)."""
    year = now.year + ((now.month, now.day) >= (12, 15))  # from 15 December the next year's reports are running
    opened = date(year - 1, 12, 15)
    quarter = next(q for q in range(1, 5) if now <= date(year, 3 * q, 14))
    q_start = opened if quarter == 1 else date(year, 3 * quarter - 3, 15)
    six = [(f"Báo cáo 6 tháng năm {year} (NĐ 09/2019)", opened, date(year, 6, 14))]
    return [(f"Báo cáo quý {quarter} năm {year} (NĐ 09/2019)", q_start, date(year, 3 * quarter, 14)),
            *(six if now <= date(year, 6, 14) else []),
            (f"Báo cáo năm {year} (NĐ 09/2019)", opened, date(year, 12, 14))]


def _presets(now: date) -> list[tuple[str, date, date]]:
    """The reporting regime's periods, then calendar ones: the last 6 months, the last year, this year, this half."""
    half_start = date(now.year, 1, 1) if now.month <= 6 else date(now.year, 7, 1)
    return [*regime_periods(now),
            ("6 tháng gần nhất", now - timedelta(days=182), now), ("1 năm gần nhất", now - timedelta(days=364), now),
            (f"Từ đầu năm {now.year}", date(now.year, 1, 1), now),
            (f"{'6 tháng đầu' if now.month <= 6 else '6 tháng cuối'} năm {now.year}", half_start, now)]


@router.get("/stats", response_class=HTMLResponse)
def report_page(request: Request, hoidap: HoidapDep, log: LogDep, start: str | None = None, end: str | None = None):
    start_d, end_d = _period(start, end)
    r = compute(hoidap, log, start_d, end_d)
    weeks = [(f"{date.fromisoformat(w):%d/%m}", dict(c)) for w, c in sorted(r.weekly.items())]
    return templates.TemplateResponse(request, "admin_stats.html", {
        "r": r, "presets": _presets(today()), "labels": LABELS, "channel_names": CHANNELS,
        "week_chart": stacked_columns(weeks, "Câu hỏi mỗi tuần theo kết quả"),
        "channel_chart": bars([(CHANNELS.get(c, c), n) for c, n in r.channels.most_common()], "Câu hỏi theo kênh"),
        "topic_chart": bars(r.topics[:10], "Chủ đề được hỏi nhiều", "#6a1b9a"),
    })


CSV_KINDS = {"all": "bao-cao", "daily": "theo-ngay", "weekly": "theo-tuan", "channels": "theo-kenh",
             "topics": "chu-de", "unanswered": "chua-tra-loi", "feedback": "gop-y"}
OUTCOME_HEADERS = [LABELS[k] for k in ("answered", "declined", "clarify", "other")]


def _rows(kind: str, r: Report) -> list[list]:
    if kind in ("daily", "weekly"):
        table = r.daily if kind == "daily" else r.weekly
        head = "Ngày (YYYY-MM-DD)" if kind == "daily" else "Tuần từ thứ Hai (YYYY-MM-DD)"  # ISO: spreadsheets sort it
        return [[head, "Tổng", *OUTCOME_HEADERS]] + [
            [day, c.total(), c["answered"], c["declined"], c["clarify"], c["other"]] for day, c in sorted(table.items())]
    if kind == "channels":
        return [["Kênh", "Số câu hỏi"]] + [[CHANNELS.get(c, c), n] for c, n in r.channels.most_common()]
    if kind == "topics":
        return ([["Loại", "Chủ đề", "Số câu hỏi"]] + [["Chủ đề", t, n] for t, n in r.topics]
                + [["Văn bản được trích", t, n] for t, n in r.cited])
    if kind == "unanswered":
        return [["Câu hỏi chưa trả lời được", "Số lần", "👎", "Lý do", "Cách hỏi khác", "Câu trả lời đã đưa"]] + [
            [g.question, g.count, g.thumbs_down, ", ".join(sorted(g.reasons)), " | ".join(g.wordings[1:]), g.answer]
            for g in r.unanswered]
    if kind == "feedback":
        return [["Thời điểm (giờ Việt Nam, YYYY-MM-DD HH:MM)", "Đánh giá", "Góp ý", "Câu hỏi", "Kết quả",
                 "Trợ lý đã trả lời"]] + [
            [f"{to_vn(f['created_at']):%Y-%m-%d %H:%M}", "👍" if f["rating"] > 0 else "👎", f["comment"], f["question"],
             STATUSES.get(f["status"], f["status"]),
             f["answer"]] for f in r.feedback]
    summary = [["Báo cáo hỏi đáp", f"{r.start:%d/%m/%Y} – {r.end:%d/%m/%Y}"], ["Tổng số câu hỏi", r.total]]
    summary += [[LABELS[k], r.outcomes[k], r.share(k)] for k in ("answered", "declined", "clarify", "other")]
    summary += [["Góp ý 👍", r.votes(1), r.vote_share(1)], ["Góp ý 👎", r.votes(-1), r.vote_share(-1)]]
    sections = [summary] + [_rows(k, r) for k in ("channels", "weekly", "daily", "topics", "unanswered", "feedback")]
    return [row for section in sections for row in [*section, []]]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


@router.get("/stats.csv")
def report_csv(hoidap: HoidapDep, log: LogDep, kind: str = "all", start: str | None = None, end: str | None = None):
    if kind not in CSV_KINDS:
        raise HTTPException(400, f"Loại báo cáo không hợp lệ; chọn một trong: {', '.join(CSV_KINDS)}.")
    start_d, end_d = _period(start, end)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM, so Excel opens Vietnamese text correctly
    # Citizens write the questions and comments: none of their text may become a formula in Excel.
    rows = _rows(kind, compute(hoidap, log, start_d, end_d))
    csv.writer(buffer).writerows([neutralise(cell) for cell in row] for row in rows)
    name = f"hoidap-{CSV_KINDS[kind]}-{start_d}-{end_d}.csv"
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
