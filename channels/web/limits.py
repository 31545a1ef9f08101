"""A cap on every request body, counted as the bytes arrive, before anything parses them.

Content-Length alone is not enough: a chunked body carries none. The counter wraps the ASGI
`receive`, so no route, form parser, rate limit or webhook signature check ever holds more than
the cap in memory.
"""
from __future__ import annotations

from starlette.datastructures import Headers
from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.web.errors import STATUS_DETAILS

TOO_LARGE = STATUS_DETAILS[413]
UPLOAD_PATH = "/admin/documents"  # the only route that takes files: staff uploads


class BodyTooLarge(HTTPException):
    """Raised from `receive`; FastAPI lets HTTPExceptions out of body parsing, so the app's handler answers."""

    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The multipart envelope of an upload adds a little to the file and its metadata fields.
        is_upload = scope["method"] == "POST" and scope["path"] == UPLOAD_PATH
        limit = self.max_upload_bytes + self.max_bytes if is_upload else self.max_bytes
        declared = Headers(scope=scope).get("content-length", "0")
        too_long = not declared.isdigit() or int(declared) > limit
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            if too_long:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:  # read outside the app's exception handlers (a middleware, say)
            if started:
                raise
            await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)
