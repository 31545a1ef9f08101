"""Times as staff read them: stored in UTC, shown and grouped in Vietnam time (Asia/Ho_Chi_Minh)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def to_vn(stamp: str) -> datetime:
    """A stored time ("2026-05-01T03:00:00+00:00", or SQLite's naive "2026-05-01 03:00:00", UTC) in Vietnam."""
    moment = datetime.fromisoformat(stamp)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VN)


def shown(stamp: str) -> str:
    """"01/05/2026 10:00" (Vietnam time); empty for no time."""
    return to_vn(stamp).strftime("%d/%m/%Y %H:%M") if stamp else ""


def utc_bounds(start: date, end: date) -> tuple[str, str]:
    """[start 00:00, end+1 00:00) in Vietnam time, as UTC ISO strings to compare with stored times."""
    lo = datetime.combine(start, time(), VN).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(), VN).astimezone(UTC)
    return lo.isoformat(timespec="seconds"), hi.isoformat(timespec="seconds")


def today() -> date:
    return datetime.now(VN).date()
