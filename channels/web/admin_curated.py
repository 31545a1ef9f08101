"""Staff-written answers (bot.curated) that win over search for rewordings of a question; the queue of
questions the bot declined or citizens rated 👎, from which staff write them."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from channels.web.admin import require_admin
from channels.web.admin_stats import _period
from channels.web.deps import HoidapDep, LogDep, templates
from channels.web.queue import groups
from channels.web.vntime import today
from hoidap.wiring import Hoidap

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])
FIELDS = ("question", "answer", "doc_id", "quote", "source")
SEARCH_RESULTS = 5


def _page(request: Request, hoidap: Hoidap, result: dict | None = None, draft: dict | None = None,
          status_code: int = 200, hits: list | None = None):
    return templates.TemplateResponse(request, "admin_curated.html", {
        "items": hoidap.answerer.curated.list(), "docs": hoidap.store.documents(),
        "result": result, "draft": draft or {}, "hits": hits,
    }, status_code=status_code)


@router.get("/curated", response_class=HTMLResponse)
def curated_page(request: Request, hoidap: HoidapDep, question: str = "", given: str = ""):
    # prefilled from a queue group: its question, and the answer the bot gave (to improve on)
    return _page(request, hoidap, draft={"question": question[:1000], "given": given[:2000]})


@router.get("/curated/{curated_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, curated_id: int, hoidap: HoidapDep):
    item = hoidap.answerer.curated.get(curated_id)
    if item is None:
        raise HTTPException(404, "Không có câu trả lời soạn sẵn này.")
    return _page(request, hoidap, draft=item.to_dict())


@router.post("/curated", response_class=HTMLResponse)
async def save(request: Request, hoidap: HoidapDep):
    """One form, two buttons: "Tìm đoạn trích" searches the documents for the passage to cite (the draft
    stays as typed); "Lưu" saves, citing the chosen passage."""
    form = await request.form()
    draft = {key: str(form.get(key, "")).strip()[:5000] for key in (*FIELDS, "id", "search", "given")}
    if form.get("action") == "search":
        query = draft["search"] or draft["question"]
        if not query:
            return _page(request, hoidap, {"error": "Nhập từ cần tìm trong văn bản."}, draft, 400)
        hits = await run_in_threadpool(hoidap.retriever.search, query, SEARCH_RESULTS)
        return _page(request, hoidap, draft=draft, hits=hits)
    if chosen := str(form.get("passage_id", "")):
        passage = hoidap.store.passage(chosen)
        if passage is None:
            return _page(request, hoidap, {"error": "Đoạn đã chọn không còn trong văn bản."}, draft, 400)
        draft["doc_id"], draft["quote"] = passage.doc_id, draft["quote"] or passage.text
    if draft["doc_id"] and hoidap.store.document(draft["doc_id"]) is None:
        return _page(request, hoidap, {"error": "Không có văn bản đã chọn."}, draft, 400)
    values = {key: draft[key] for key in FIELDS}
    curated = hoidap.answerer.curated
    try:
        if draft["id"]:
            item = curated.update(int(draft["id"]), **values, by=request.state.staff) if draft["id"].isdigit() else None
            if item is None:
                return _page(request, hoidap, {"error": f"Không có câu trả lời số {draft['id']}."}, status_code=404)
            return _page(request, hoidap, {"ok": f"Đã lưu câu trả lời soạn sẵn số {item.id}."})
        item = curated.add(**values, by=request.state.staff)
    except ValueError as exc:
        return _page(request, hoidap, {"error": str(exc)}, draft, 400)
    return _page(request, hoidap, {"ok": f"Đã thêm câu trả lời soạn sẵn số {item.id}."})


@router.get("/curated/{curated_id}/delete", response_class=HTMLResponse)
def confirm_remove(request: Request, curated_id: int, hoidap: HoidapDep):
    item = hoidap.answerer.curated.get(curated_id)
    if item is None:
        raise HTTPException(404, "Không có câu trả lời soạn sẵn này.")
    return templates.TemplateResponse(request, "admin_confirm_curated.html", {"item": item})


@router.post("/curated/{curated_id}/delete", response_class=HTMLResponse)
def remove(request: Request, curated_id: int, hoidap: HoidapDep):
    if not hoidap.answerer.curated.remove(curated_id):
        return _page(request, hoidap, {"error": f"Không có câu trả lời số {curated_id}."}, status_code=404)
    return _page(request, hoidap, {"ok": f"Đã xóa câu trả lời số {curated_id}."})


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, hoidap: HoidapDep, log: LogDep, start: str | None = None, end: str | None = None):
    start_d, end_d = _period(start or (today() - timedelta(days=29)).isoformat(), end)
    return templates.TemplateResponse(request, "admin_queue.html", {
        "groups": groups(log, start_d, end_d, hoidap.answerer.curated), "start": start_d, "end": end_d})
