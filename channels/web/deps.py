"""Shared objects of the running app, as FastAPI dependencies."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from bot.render import document_name
from channels.web.logs import ConversationLog
from channels.web.vntime import shown
from hoidap.wiring import Hoidap

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")  # autoescapes .html
templates.env.filters["vn_time"] = shown  # stored UTC → "01/05/2026 10:00", Vietnam time
templates.env.filters["document_name"] = document_name  # "KẾ HOẠCH 45/KH-UBND", or the short title
templates.env.filters["from_json"] = json.loads  # a job's result (channels/web/jobs.py)


def get_hoidap(request: Request) -> Hoidap:
    return request.app.state.hoidap


def get_log(request: Request) -> ConversationLog:
    return request.app.state.log


HoidapDep = Annotated[Hoidap, Depends(get_hoidap)]
LogDep = Annotated[ConversationLog, Depends(get_log)]
