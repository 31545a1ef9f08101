"""The webhook routers of the messaging channels whose secrets are configured, for the web app to mount."""
from __future__ import annotations

from fastapi import APIRouter

from channels.messenger import MessengerChannel
from channels.web.logs import ConversationLog
from channels.zalo import ZaloChannel


def routers(hoidap, conversation_log: ConversationLog | None = None) -> list[APIRouter]:
    """`conversation_log`: the web app's own, so that every channel writes through one connection."""
    settings = hoidap.settings
    found = []
    if settings.telegram_token and settings.telegram_secret:
        from channels.telegram import webhook_router  # python-telegram-bot is only loaded when used

        found.append(webhook_router(hoidap, conversation_log))
    if settings.zalo_oa_token and settings.zalo_app_secret:
        found.append(ZaloChannel(hoidap, conversation_log).router())
    if settings.messenger_page_token and settings.messenger_app_secret and settings.messenger_verify_token:
        found.append(MessengerChannel(hoidap, conversation_log).router())
    return found
