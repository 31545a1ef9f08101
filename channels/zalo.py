"""Zalo Official Account: webhook in (user_send_text), OA consultation message API out.

Signature (Zalo OA webhook docs): header ``X-ZEvent-Signature: mac=<hex>`` where
``<hex> = sha256(app_id + raw_body + timestamp + oa_secret_key)``; app_id and timestamp are the
fields of the same JSON body, and oa_secret_key is the OA Secret Key (HOIDAP_ZALO_APP_SECRET).
"""
from __future__ import annotations

import hashlib

from channels.base import Incoming, WebhookChannel


class ZaloChannel(WebhookChannel):
    name = "zalo"
    path = "/webhooks/zalo"
    signature_header = "X-ZEvent-Signature"
    max_len = 2000  # Zalo text message limit
    reply_window = 48 * 3600  # consultation messages are free only within 48h of the user's last message

    def expected_signature(self, body: bytes, payload: dict) -> str:
        data = str(payload["app_id"]).encode() + body + str(payload["timestamp"]).encode()
        return "mac=" + hashlib.sha256(data + self.settings.zalo_app_secret.encode()).hexdigest()

    def messages(self, payload: dict) -> list[Incoming]:
        if payload["event_name"] != "user_send_text":
            return []
        message = payload["message"]
        return [Incoming(str(message["msg_id"]), str(payload["sender"]["id"]), str(message["text"]),
                         int(payload["timestamp"]) / 1000)]

    def send_request(self, user_id: str, text: str) -> dict:
        return {
            "url": self.settings.zalo_api_url,
            "headers": {"access_token": self.settings.zalo_oa_token},
            "json": {"recipient": {"user_id": user_id}, "message": {"text": text}},
        }

    def check_response(self, response) -> None:
        response.raise_for_status()
        reply = response.json()
        if error := reply.get("error", 0):  # Zalo reports failures as HTTP 200 with error != 0
            raise RuntimeError(f"Zalo API error {error}: {reply.get('message')}")
