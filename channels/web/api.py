"""Public JSON API: ask, feedback, list documents, health."""
from __future__ import annotations

import os
import socket
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field

from bot.render import quote_url, short_label, shown, snippet, source_line, to_text
from channels.base import MAX_QUESTION_CHARS, TOO_LONG
from channels.web.deps import HoidapDep, LogDep
from channels.web.errors import documented
from channels.web.ratelimit import rate_limited, reads_limited
from hoidap.text import clean_input

# Every text field, cleaned before validation: pydantic itself refuses a lone surrogate with a 422.
Text = Annotated[str, BeforeValidator(lambda value: clean_input(value) if isinstance(value, str) else value)]

router = APIRouter(prefix="/api", tags=["Hỏi đáp"])
health = APIRouter(tags=["Hệ thống"])


class AskRequest(BaseModel):
    # At least one character that is not a space, a control character or a noncharacter (which clean_input drops).
    question: Text = Field(description=f"Câu hỏi, tối đa {MAX_QUESTION_CHARS} ký tự",
                           pattern=r"[^\s\x00-\x1f\x7f\ufffe\uffff]")
    session_id: Text = Field("", max_length=100, pattern=r"^[A-Za-z0-9_.:-]*$",
                             description="Mã phiên ngẫu nhiên do trình duyệt tạo (chữ cái Latin, số, _ . : -)")


class FeedbackRequest(BaseModel):
    answer_id: Text = Field(max_length=64)
    rating: Literal[1, -1] = Field(description="1: hữu ích, -1: không hữu ích")
    comment: Text = Field("", max_length=1000)


def clean_question(raw: str) -> str:
    text = " ".join(raw.split())  # newlines and tabs become spaces
    if not text:
        raise HTTPException(400, "Vui lòng nhập câu hỏi.")
    if len(text) > MAX_QUESTION_CHARS:
        raise HTTPException(422, TOO_LONG)
    return text


@router.post("/ask", summary="Đặt câu hỏi, nhận câu trả lời có trích dẫn", responses=documented(400, 413, 422, 429),
             dependencies=[Depends(rate_limited)])
def ask(body: AskRequest, request: Request, hoidap: HoidapDep, log: LogDep) -> dict:
    """The Answer, each citation with what the page shows: `label` (short numbered source), `source` (the
    full one, a tooltip), `quote_shown` and `highlights_shown` (no markdown emphasis, content words
    marked), `snippet` (one line for "Xem thêm"), `link` (with the quoted sentence); `share_text` for
    the copy button."""
    question = clean_question(body.question)
    # Namespaced like the messaging channels' "telegram:<chat>" sessions, so a browser cannot pick
    # another channel's session id and read or steer that user's follow-up context.
    session = f"web:{body.session_id}" if body.session_id else ""
    answer = hoidap.answerer.ask(question, session_id=session, channel="web")
    answer_id = log.record(question, answer, session, "web")
    result = answer.to_dict()
    for data, citation in zip(result["citations"], answer.citations):
        quote = shown(citation, question)
        data.update(label=short_label(citation), source=source_line(citation), quote_shown=quote.text,
                    highlights_shown=quote.highlights, snippet=snippet(citation), link=quote_url(citation, quote))
    base = hoidap.settings.public_url or str(request.base_url).rstrip("/")
    absolute = replace(answer, citations=[replace(c, url=base + c.url if c.url.startswith("/") else c.url)
                                          for c in answer.citations])
    return {"answer_id": answer_id, **result, "share_text": to_text(absolute, question)}


@router.post("/feedback", summary="Đánh giá một câu trả lời (👍 = 1, 👎 = -1)",
             responses=documented(400, 404, 409, 413, 422, 429), dependencies=[Depends(rate_limited)])
def feedback(body: FeedbackRequest, log: LogDep) -> dict:
    outcome = log.add_feedback(body.answer_id, body.rating, body.comment.strip())
    if outcome == "unknown":
        raise HTTPException(404, "Không tìm thấy câu trả lời này (có thể đã quá hạn lưu trữ).")
    if outcome == "full":
        raise HTTPException(409, "Câu trả lời này đã nhận đủ góp ý. Cảm ơn bạn!")
    return {"ok": True}


@router.get("/suggestions", summary="Câu hỏi gợi ý (mỗi câu đều có câu trả lời trong văn bản hiện có)",
            responses=documented(429), dependencies=[Depends(reads_limited)])
def suggestions(hoidap: HoidapDep) -> dict:
    return {"suggestions": hoidap.answerer.suggestions()}


@router.get("/contact", summary="Nơi liên hệ khi trợ lý không trả lời được (trống: không hiển thị)",
            responses=documented(429), dependencies=[Depends(reads_limited)])
def contact(hoidap: HoidapDep) -> dict:
    s = hoidap.settings
    return {"name": s.contact, "phone": s.contact_phone, "email": s.contact_email, "url": s.contact_url,
            "hours": s.contact_hours}


@router.get("/documents", summary="Danh sách văn bản đang dùng để trả lời", responses=documented(429),
            dependencies=[Depends(reads_limited)])
def documents(hoidap: HoidapDep) -> list[dict]:
    base = hoidap.settings.public_url
    return [
        {
            "id": d.id, "title": d.title, "doc_type": d.doc_type, "number": d.number, "date": d.date,
            "date_iso": d.date_iso, "issuer": d.issuer, "locality": d.locality, "source_url": d.source_url,
            "url": f"{base}/documents/{d.id}",
        }
        for d in hoidap.store.documents()
    ]


@health.get("/healthz", summary="Kiểm tra dịch vụ; thế hệ chỉ mục đang phục vụ; tỉ lệ trúng bộ nhớ đệm câu trả lời")
def healthz(hoidap: HoidapDep) -> dict:
    """Live: this process answers (whatever Redis does: it degrades, docs/deploy.md)."""
    answers = hoidap.answerer.answers
    return {"status": "ok", **_process(hoidap), "documents": len(hoidap.store.documents()),
            "generation": hoidap.retriever.generation, "answer_cache": answers.stats() if answers else None,
            "redis": _redis(hoidap)}


@health.get("/readyz", summary="Sẵn sàng nhận câu hỏi: kho, Redis (nếu có), chỉ mục đã nạp; 503 khi chưa",
            responses=documented(503))
def readyz(hoidap: HoidapDep) -> JSONResponse:
    """Ready: the store answers, an index generation is loaded, and Redis (when configured) is reachable. For a
    load balancer or systemd to send questions here only when all three hold (docs/deploy.md)."""
    checks = {"database": _database(hoidap), "index": "ok" if hoidap.retriever.generation >= 0 else "not loaded",
              "redis": _redis(hoidap) or "not used"}
    ready = all(value in ("ok", "not used") for value in checks.values())
    return JSONResponse({"ready": ready, **_process(hoidap), **checks}, status_code=200 if ready else 503,
                        headers={} if ready else {"Retry-After": "5"})


def _process(hoidap) -> dict:
    return {"pid": os.getpid(), "replica": hoidap.settings.replica or socket.gethostname()}


def _redis(hoidap) -> str | None:
    shared = getattr(hoidap, "shared", None)
    return None if shared is None or not shared.shared else "ok" if shared.reachable() else "unreachable"


def _database(hoidap) -> str:
    try:
        hoidap.store.generation()
    except Exception as exc:  # a database away says so here, it is not a 500
        return f"unreachable ({type(exc).__name__})"
    return "ok"
