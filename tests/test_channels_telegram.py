"""Telegram over real HTTP: python-telegram-bot talks to a fake Bot API; the webhook router gets real POSTs."""
from __future__ import annotations

import re
import sqlite3
import time
from html.parser import HTMLParser

import anyio
import httpx
import pytest
from fastapi import FastAPI

from channels.telegram import build_application
from channels.webhooks import routers
from fakes import corpus_hoidap, with_settings
from fakes.server import serve, settled, wait_until
from fakes.telegram import FakeTelegram, button_update, message_update
from hoidap.models import Document

TOKEN = "123456:TEST-token"
SECRET = "s3cret_Token-57"
SITE = "https://hoidap.example.gov.vn"
QUESTION = "Mục tiêu đến năm 2030 là gì?"


class TelegramHTML(HTMLParser):
    """Checks text the way Telegram's parse_mode=HTML does: known tags, balanced, no bare < > &."""

    ALLOWED = {"b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.feed(text)
        self.close()
        assert not self.stack, f"unclosed {self.stack}"

    def handle_starttag(self, tag, attrs):
        assert tag in self.ALLOWED, f"tag <{tag}> not allowed"
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"misnested </{tag}>"

    def handle_entityref(self, name):
        assert name in {"lt", "gt", "amp", "quot"}, f"unknown entity &{name};"

    def handle_data(self, data):
        assert not re.search(r"[<>&]", data), f"unescaped character in {data!r}"


def check_messages(messages: list[dict]) -> None:
    for m in messages:
        assert m["parse_mode"] == "HTML"
        assert 0 < len(m["text"]) <= 4096
        TelegramHTML(m["text"])


@pytest.fixture(scope="module")
def hoidap(tmp_path_factory):
    return corpus_hoidap(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def telegram():
    fake = FakeTelegram()
    with serve(fake.app) as url:
        fake.url = url
        yield fake
        fake.hanging = False


@pytest.fixture(scope="module")
def webhook(hoidap, telegram):
    """The webhook router mounted in an app served over HTTP; yields a client for POSTing updates."""
    configured = with_settings(hoidap, telegram_token=TOKEN, telegram_secret=SECRET,
                               telegram_base_url=telegram.url + "/bot")
    app = FastAPI()
    for router in routers(configured):
        app.include_router(router)
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def post_update(client, update: dict, secret: str | None = SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return client.post("/webhooks/telegram", json=update, headers=headers)


def test_webhook_is_registered_with_the_secret_at_startup(webhook, telegram):
    [call] = telegram.sent("setWebhook")
    assert call["url"] == f"{SITE}/webhooks/telegram"
    assert call["secret_token"] == SECRET


def test_start_gets_a_welcome(webhook, telegram):
    assert post_update(webhook, message_update(1, 1001, "/start")).status_code == 200
    [reply] = settled(lambda: telegram.sent(chat_id="1001"))
    assert "Hỏi đáp 57" in reply["text"] and "/tailieu" in reply["text"]
    check_messages([reply])


def test_question_gets_quotes_citation_links_and_buttons(webhook, telegram):
    assert post_update(webhook, message_update(2, 1002, QUESTION)).status_code == 200
    replies = settled(lambda: telegram.sent(chat_id="1002"))
    check_messages(replies)
    text = "\n".join(r["text"] for r in replies)
    assert "<blockquote>" in text
    assert f'<a href="{SITE}/documents/' in text
    keyboard = replies[-1]["reply_markup"]["inline_keyboard"]
    votes = {b["text"]: b["callback_data"] for b in keyboard[-1]}
    assert set(votes) == {"👍 Hữu ích", "👎 Chưa đúng"}
    assert all(len(d.encode()) <= 64 for row in keyboard for d in (b["callback_data"] for b in row))
    assert all("reply_markup" not in r for r in replies[:-1])  # buttons only under the last part


def test_question_with_markup_characters_is_escaped(webhook, telegram):
    question = "Mục tiêu <b>2030</b> & chuyển đổi số?"
    assert post_update(webhook, message_update(3, 1003, question)).status_code == 200
    check_messages(settled(lambda: telegram.sent(chat_id="1003")))


def test_vote_and_suggestion_buttons(webhook, telegram, hoidap):
    assert post_update(webhook, message_update(4, 1004, QUESTION)).status_code == 200
    keyboard = settled(lambda: telegram.sent(chat_id="1004"))[-1]["reply_markup"]["inline_keyboard"]
    up = keyboard[-1][0]["callback_data"]
    answer_id = up.split(":")[1]

    assert post_update(webhook, button_update(5, 1004, up)).status_code == 200
    assert post_update(webhook, button_update(6, 1004, up)).status_code == 200  # a double tap
    answers = settled(lambda: telegram.sent("answerCallbackQuery"))
    assert {a["text"] for a in answers if a["callback_query_id"] in ("cq5", "cq6")} == {
        "Cảm ơn bạn đã góp ý!", "Bạn đã góp ý cho câu trả lời này."}
    with sqlite3.connect(hoidap.settings.db_path) as db:
        assert db.execute("SELECT rating FROM feedback WHERE answer_id = ?", (answer_id,)).fetchall() == [(1,)]
        assert db.execute("SELECT channel FROM conversations WHERE id = ?", (answer_id,)).fetchone() == ("telegram",)

    suggestions = [row[0]["callback_data"] for row in keyboard[:-1]]
    assert suggestions, "the answer offers suggested questions"
    before = len(telegram.sent(chat_id="1004"))
    assert post_update(webhook, button_update(7, 1004, suggestions[0])).status_code == 200
    assert wait_until(lambda: len(telegram.sent(chat_id="1004")) > before), "the suggestion was not answered"

    assert post_update(webhook, button_update(8, 1004, "s:gone:0")).status_code == 200
    assert wait_until(lambda: [a for a in telegram.sent("answerCallbackQuery") if a["callback_query_id"] == "cq8"
                               and "hết hạn" in a["text"]])


def test_forged_missing_and_malformed_updates_are_rejected(webhook, telegram, caplog):
    update = message_update(9, 1009, "/start")
    assert post_update(webhook, update, secret="guessed").status_code == 403
    assert post_update(webhook, update, secret=None).status_code == 401
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    assert webhook.post("/webhooks/telegram", content=b"{not json", headers=headers).status_code == 400
    assert webhook.post("/webhooks/telegram", json={"message": 1}, headers=headers).status_code == 400
    time.sleep(0.3)
    assert not telegram.sent(chat_id="1009")
    assert "bad signature" in caplog.text and "missing signature" in caplog.text and "malformed" in caplog.text


def test_replayed_update_is_answered_once(webhook, telegram):
    update = message_update(10, 1010, "/help")
    assert post_update(webhook, update).status_code == 200
    assert post_update(webhook, update).status_code == 200
    assert len(settled(lambda: telegram.sent(chat_id="1010"))) == 1


def test_stale_update_is_refused(webhook, telegram):
    update = message_update(12, 1012, "/help")
    update["message"]["date"] -= 365 * 24 * 3600  # a year old, with the right secret
    assert post_update(webhook, update).status_code == 200
    assert post_update(webhook, message_update(13, 1013, "/help")).status_code == 200
    assert settled(lambda: telegram.sent(chat_id="1013"))
    assert not telegram.sent(chat_id="1012")


def test_a_hanging_chat_does_not_block_others(webhook, telegram):
    telegram.hang_chats.add("1011")
    assert post_update(webhook, message_update(11, 1011, QUESTION)).status_code == 200
    assert post_update(webhook, message_update(12, 1012, QUESTION)).status_code == 200
    assert wait_until(lambda: telegram.sent(chat_id="1012")), "one hanging chat blocked another"
    assert not telegram.sent(chat_id="1011")
    telegram.hanging = False  # upstream recovers: the slow chat is answered too
    assert wait_until(lambda: telegram.sent(chat_id="1011"))


@pytest.mark.anyio
async def test_long_polling_answers_commands_and_questions(hoidap, telegram):
    hoidap.store.put_document(Document(id="thu-nghiem", doc_type="KẾ HOẠCH", number="1/KH-TN",
                                       title="Thử <b>ký tự</b> & dấu"), [])
    configured = with_settings(hoidap, telegram_token=TOKEN, telegram_base_url=telegram.url + "/bot")
    application = build_application(configured, polling=True)
    for update_id, text in [(100, "/tailieu"), (101, QUESTION)]:
        telegram.push(message_update(update_id, 2001, text))
    async with application:
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        with anyio.fail_after(15):
            while len(telegram.sent(chat_id="2001")) < 2:
                await anyio.sleep(0.05)
            await anyio.sleep(0.5)  # remaining parts
        await application.updater.stop()
        await application.stop()
    assert telegram.sent("deleteWebhook"), "polling starts by removing any webhook"
    replies = telegram.sent(chat_id="2001")
    check_messages(replies)
    [documents] = [r["text"] for r in replies if r["text"].startswith("Các văn bản")]
    assert "Thử &lt;b&gt;ký tự&lt;/b&gt; &amp; dấu" in documents
    assert f'<a href="{SITE}/documents/hatinh-stp-nq57">' in documents
    assert any("<blockquote>" in r["text"] and f'<a href="{SITE}/documents/' in r["text"] for r in replies)


def test_a_follow_up_keeps_the_thread_of_its_chat(webhook, telegram):
    question = "Xã Nam Cường phải báo cáo kết quả thực hiện trước ngày nào?"
    assert post_update(webhook, message_update(20, 1020, question)).status_code == 200
    first = settled(lambda: telegram.sent(chat_id="1020"))
    assert post_update(webhook, message_update(21, 1020, "còn Đồng Nai thì sao?")).status_code == 200
    replies = settled(lambda: telegram.sent(chat_id="1020")[len(first):])
    text = "\n".join(r["text"] for r in replies)
    shown = re.sub(r"<[^>]+>", "", text)  # the quote as read, highlights and links aside
    assert f'{SITE}/documents/dongnai-ubnd-kh45' in text and "trước ngày 15 tháng 6" in shown
    assert post_update(webhook, message_update(22, 1021, "còn Đồng Nai thì sao?")).status_code == 200
    other = "\n".join(r["text"] for r in settled(lambda: telegram.sent(chat_id="1021")))
    assert "trước ngày 15 tháng 6" not in re.sub(r"<[^>]+>", "", other)  # another chat has no thread to go on from
