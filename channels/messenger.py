"""Facebook Messenger: webhook in (GET subscription check, signed POSTs), Send API out."""
from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from channels.base import Incoming, WebhookChannel, check_secret


class MessengerChannel(WebhookChannel):
    name = "messenger"
    path = "/webhooks/messenger"
    signature_header = "X-Hub-Signature-256"
    max_len = 2000  # Send API text limit
    reply_window = 24 * 3600  # standard messaging window for messaging_type RESPONSE

    def expected_signature(self, body: bytes, payload: dict) -> str:
        return "sha256=" + hmac.new(self.settings.messenger_app_secret.encode(), body, hashlib.sha256).hexdigest()

    def messages(self, payload: dict) -> list[Incoming]:
        if payload["object"] != "page":
            raise ValueError(f"not a page event: {payload['object']!r}")
        found = []
        for entry in payload["entry"]:
            for event in entry.get("messaging", []):
                message = event.get("message") or {}
                if message.get("is_echo") or "text" not in message:  # our own replies, stickers, attachments
                    continue
                found.append(Incoming(str(message["mid"]), str(event["sender"]["id"]), str(message["text"]),
                                      int(event["timestamp"]) / 1000))
        return found

    def send_request(self, user_id: str, text: str) -> dict:
        return {
            "url": self.settings.messenger_api_url,
            "params": {"access_token": self.settings.messenger_page_token},
            "json": {"recipient": {"id": user_id}, "messaging_type": "RESPONSE", "message": {"text": text}},
        }

    async def subscribe(
        self,
        mode: str = Query("", alias="hub.mode"),
        token: str = Query("", alias="hub.verify_token"),
        challenge: str = Query("", alias="hub.challenge"),
    ) -> PlainTextResponse:
        """Facebook's one-time check when the webhook URL is saved: echo the challenge."""
        if mode != "subscribe":
            raise HTTPException(400, "hub.mode phải là subscribe.")
        check_secret(self.name, token, self.settings.messenger_verify_token)
        return PlainTextResponse(challenge)

    def router(self) -> APIRouter:
        router = super().router()
        router.add_api_route(self.path, self.subscribe, methods=["GET"], include_in_schema=False)
        return router
