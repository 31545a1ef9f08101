"""Telegram channel (python-telegram-bot): /start, /help, /tailieu, cited answers, suggestion and 👍/👎 buttons.

Two ways in, same Application: long polling (`hoidap telegram`) or the webhook router
(POST /webhooks/telegram, checked against HOIDAP_TELEGRAM_SECRET).
"""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from html import escape

from fastapi import APIRouter, HTTPException, Request
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
                          Defaults, MessageHandler, filters)

from bot.render import to_telegram_html
from channels.base import Channel, Recent, check_secret, fresh_and_new, split_text
from channels.web.logs import ConversationLog
from hoidap.models import Answer

log = logging.getLogger("hoidap.channels.telegram")

PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]  # all the bot handles

WELCOME = ("Xin chào! Tôi là trợ lý <b>Hỏi đáp 57</b>. Bạn hỏi về Nghị quyết 57-NQ/TW và các "
           "kế hoạch triển khai; tôi trả lời bằng cách trích nguyên văn và dẫn nguồn văn bản.")
HELP = ("Cách dùng:\n"
        "• Gõ câu hỏi, ví dụ: <i>Mục tiêu đến năm 2030 là gì?</i>\n"
        "• /tailieu: danh sách văn bản dùng để trả lời\n"
        "• Bấm 👍 hoặc 👎 dưới câu trả lời để góp ý.")
THANKS = "Cảm ơn bạn đã góp ý!"
ALREADY_VOTED = "Bạn đã góp ý cho câu trả lời này."
EXPIRED = "Nút này đã hết hạn, bạn hãy gõ lại câu hỏi."


class TelegramChannel(Channel):
    name = "telegram"

    def __init__(self, hoidap, application: Application, conversation_log: ConversationLog | None = None):
        super().__init__(hoidap, conversation_log)
        self.bot = application.bot
        # Callback data is at most 64 bytes, so buttons carry the answer id and these find the rest.
        self.suggestions = Recent()  # answer id → suggested questions
        self.voted = Recent()  # answer ids already rated, so a double tap is one vote
        application.add_handler(CommandHandler("start", self.on_start))
        application.add_handler(CommandHandler("help", self.on_help))
        application.add_handler(CommandHandler("tailieu", self.on_documents))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    def render(self, answer: Answer) -> list[str]:
        return to_telegram_html(answer)

    async def send(self, chat_id: str, texts: list[str], markup: InlineKeyboardMarkup | None = None) -> None:
        for i, text in enumerate(texts):
            await self.bot.send_message(chat_id, text, reply_markup=markup if i == len(texts) - 1 else None)

    async def deliver(self, chat_id: str, answer: Answer, answer_id: str) -> None:
        self.suggestions.put(answer_id, answer.suggestions)
        rows = [[InlineKeyboardButton(q, callback_data=f"s:{answer_id}:{i}")] for i, q in enumerate(answer.suggestions)]
        rows.append([InlineKeyboardButton("👍 Hữu ích", callback_data=f"v:{answer_id}:1"),
                     InlineKeyboardButton("👎 Chưa đúng", callback_data=f"v:{answer_id}:-1")])
        await self.send(chat_id, self.render(answer), InlineKeyboardMarkup(rows))

    # -- handlers
    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"{WELCOME}\n\n{HELP}")

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(HELP)

    async def on_documents(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        base = self.hoidap.settings.public_url
        lines = []
        for doc in self.hoidap.store.documents():
            name = escape(" ".join(filter(None, [doc.doc_type.capitalize(), doc.number])) or doc.id)
            if base:
                name = f'<a href="{escape(f"{base}/documents/{doc.id}")}">{name}</a>'
            details = ", ".join(escape(x) for x in [doc.issuer, doc.date] if x)
            lines.append(f"• <b>{name}</b>" + (f": {escape(doc.title)}" if doc.title else "")
                         + (f" ({details})" if details else ""))
        if not lines:
            await update.effective_message.reply_text("Chưa có văn bản nào.")
            return
        text = "Các văn bản đang dùng để trả lời:\n\n" + "\n\n".join(lines)
        # Entries are short, so the cuts fall between them and never inside a tag.
        for part in split_text(text, MessageLimit.MAX_TEXT_LENGTH):
            await update.effective_message.reply_text(part)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle_text(str(update.effective_chat.id), update.effective_message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        kind, answer_id, arg = ((query.data or "").split(":") + ["", "", ""])[:3]
        if kind == "v" and arg in ("1", "-1"):
            await query.answer(await self.vote(answer_id, int(arg)))
            return
        suggestions = self.suggestions.get(answer_id) or []
        if kind != "s" or not arg.isdigit() or int(arg) >= len(suggestions):
            await query.answer(EXPIRED)
            return
        await query.answer()
        await self.handle_text(str(update.effective_chat.id), suggestions[int(arg)])

    async def vote(self, answer_id: str, rating: int) -> str:
        if not self.voted.first_time(answer_id):
            return ALREADY_VOTED
        outcome = await asyncio.to_thread(self.log.add_feedback, answer_id, rating, "")
        return {"ok": THANKS, "full": ALREADY_VOTED}.get(outcome, EXPIRED)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: update failed", exc_info=context.error)


def build_application(hoidap, polling: bool, conversation_log: ConversationLog | None = None) -> Application:
    """One Application for both modes; updates run concurrently so one slow chat never blocks another."""
    settings = hoidap.settings
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(True)
        .connect_timeout(5).read_timeout(10).write_timeout(10).pool_timeout(5)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    TelegramChannel(hoidap, application, conversation_log)
    return application


def run_polling(hoidap) -> None:
    """Quick start without a public URL: ask Telegram for updates (removes any webhook first)."""
    build_application(hoidap, polling=True).run_polling(allowed_updates=UPDATES)


def webhook_router(hoidap, conversation_log: ConversationLog | None = None) -> APIRouter:
    """POST /webhooks/telegram: checks Telegram's secret header and queues the update to the Application.

    With HOIDAP_PUBLIC_URL set, the webhook is registered with Telegram at startup.
    """
    settings = hoidap.settings
    application = build_application(hoidap, polling=False, conversation_log=conversation_log)

    @asynccontextmanager
    async def lifespan(_app):
        async with application:
            await application.start()
            try:
                if settings.public_url:
                    await application.bot.set_webhook(settings.public_url.rstrip("/") + PATH,
                                                      secret_token=settings.telegram_secret,
                                                      allowed_updates=UPDATES)
                yield
            finally:  # a still-running Application refuses to shut down, hiding the original error
                await application.stop()

    router = APIRouter(lifespan=lifespan, tags=["webhooks"])

    @router.post(PATH, include_in_schema=False)
    async def receive(request: Request) -> dict:
        check_secret("telegram", request.headers.get(SECRET_HEADER), settings.telegram_secret)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("telegram webhook: malformed update, rejected")
            raise HTTPException(400, "Cập nhật không hợp lệ.") from None
        if update is None:
            return {"ok": True}
        message = update.message or update.edited_message  # button presses carry no time of their own
        sent_at = (message.edit_date or message.date).timestamp() if message else time.time()
        if not fresh_and_new(hoidap, f"telegram:{update.update_id}", sent_at):
            return {"ok": True}
        await application.update_queue.put(update)
        return {"ok": True}

    return router
