"""The report on a fixed log: topics are whole words and phrases, one per meaning with or without marks;
days are Vietnam days; the daily table adds up."""
import re
import sqlite3

import pytest
from datetime import date

from channels.web.admin_stats import compute, regime_periods
from channels.web.charts import LABELS, stacked_columns
from channels.web.topics import Topics
from channels.web.logs import ConversationLog
from hoidap.config import Settings
from hoidap.models import Answer
from hoidap.text import fold
from hoidap.wiring import open_hoidap

FIXED_LOG = [  # (UTC time, question, status)
    ("2026-05-01T01:00:00+00:00", "Đồng Nai đặt mục tiêu gì đến năm 2030?", "answered"),
    ("2026-05-01T02:00:00+00:00", "dong nai dat muc tieu gi", "answered"),
    ("2026-05-01T03:00:00+00:00", "Sở Tư pháp làm gì về chuyển đổi số?", "answered"),
    ("2026-05-01T18:30:00+00:00", "ha tinh co ke hoach gi", "clarify"),  # 01:30 on 2 May in Vietnam
    ("2026-05-02T04:00:00+00:00", "Hà Tĩnh có kế hoạch gì về chuyển đổi số?", "answered"),
    ("2026-05-02T05:00:00+00:00", "Còn An Giang thì sao?", "clarify"),
    ("2026-05-02T06:00:00+00:00", "Giá vàng hôm nay?", "out_of_scope"),
    ("2026-05-02T07:00:00+00:00", "xin chào", "smalltalk"),
]


def test_topics_are_whole_words_without_diacritic_duplicates(tmp_path):
    hoidap = open_hoidap(Settings(data_dir=tmp_path, embedder="none"))
    log = ConversationLog(hoidap.store, 100000)
    for _at, question, status in FIXED_LOG:
        log.record(question, Answer(status, "…"), "s", "web")
    with sqlite3.connect(hoidap.settings.db_path) as db:  # the times of the fixed log
        for (at, _q, _s), (row_id,) in zip(FIXED_LOG, db.execute("SELECT id FROM conversations ORDER BY rowid")):
            db.execute("UPDATE conversations SET created_at = ? WHERE id = ?", (at, row_id))
    report = compute(hoidap, log, date(2026, 5, 1), date(2026, 5, 2))
    topics = dict(report.topics)
    assert topics["đồng nai"] == 2 and topics["mục tiêu"] == 2 and topics["hà tĩnh"] == 2
    assert topics["chuyển đổi số"] == 2 and topics["sở tư pháp"] == 1 and topics["an giang"] == 1
    folded = [fold(t) for t in topics]
    assert len(folded) == len(set(folded))  # "ha tinh" and "hà tĩnh" are one topic
    for crossing in ("nai đặt", "nai dat", "pháp làm", "còn an", "vàng hôm", "đặt mục"):
        assert crossing not in topics
    assert all(len(t.split()) >= 2 for t in topics)
    assert report.daily["2026-05-01"].total() == 3 and report.daily["2026-05-02"].total() == 5  # Vietnam days
    for counts in report.daily.values():
        assert counts.total() == counts["answered"] + counts["declined"] + counts["clarify"] + counts["other"]
    assert report.outcomes == {"answered": 4, "clarify": 2, "declined": 1, "other": 1}


@pytest.mark.parametrize("today_, expected", [
    (date(2026, 7, 1), [("quý 3 năm 2026", date(2026, 6, 15), date(2026, 9, 14)),
                        ("năm 2026", date(2025, 12, 15), date(2026, 12, 14))]),
    (date(2026, 6, 14), [("quý 2 năm 2026", date(2026, 3, 15), date(2026, 6, 14)),
                         ("6 tháng năm 2026", date(2025, 12, 15), date(2026, 6, 14)),
                         ("năm 2026", date(2025, 12, 15), date(2026, 12, 14))]),
    (date(2026, 12, 15), [("quý 1 năm 2027", date(2026, 12, 15), date(2027, 3, 14)),
                          ("6 tháng năm 2027", date(2026, 12, 15), date(2027, 6, 14)),
                          ("năm 2027", date(2026, 12, 15), date(2027, 12, 14))]),
    (date(2027, 1, 10), [("quý 1 năm 2027", date(2026, 12, 15), date(2027, 3, 14)),
                         ("6 tháng năm 2027", date(2026, 12, 15), date(2027, 6, 14)),
                         ("năm 2027", date(2026, 12, 15), date(2027, 12, 14))]),
])
def test_report_presets_follow_the_cut_off_dates_of_decree_09_2019(today_, expected):
    got = [(label.removeprefix("Báo cáo ").removesuffix(" (NĐ 09/2019)"), start, end)
           for label, start, end in regime_periods(today_)]
    assert got == expected


def test_the_weekly_chart_keeps_its_legend_inside_and_one_label_per_line():
    svg = str(stacked_columns([("01/12", {"answered": 5, "declined": 2}), ("08/12", {"other": 1})], "Mỗi tuần"))
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
    legend = [(float(x), float(y), text) for x, y, text in re.findall(r'<text x="([\d.]+)" y="([\d.]+)">([^<]+)</text>', svg)
              if text in LABELS.values()]
    assert [text for _, _, text in legend] == list(LABELS.values())
    assert all(x + 7 * len(text) <= width and y <= height for x, y, text in legend)  # ~7 px a letter at 12 px
    assert len({y for _, y, _ in legend}) == len(legend)  # no two on one line


def test_a_topic_is_never_the_front_of_a_longer_word():
    topics = Topics(["Cung cấp dịch vụ công trực tuyến toàn trình.", "Tỷ lệ dịch vụ công trực tuyến đạt 80%.",
                     "Đưa dịch vụ công lên Cổng dịch vụ công quốc gia.", "Họp trực tuyến hằng tuần."])
    terms = topics.terms("Dịch vụ công trực tuyến ở Đồng Nai thế nào?")
    assert "dịch vụ công" in terms and "trực tuyến" in terms and "dịch vụ công trực" not in terms, terms
