"""Staff-written answers (bot.curated) that win over search for close rewordings of a question."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from channels.web.admin import require_admin
from channels.web.deps import HoidapDep, templates
from hoidap.wiring import Hoidap

router = APIRouter(prefix="/admin/curated", include_in_schema=False, dependencies=[Depends(require_admin)])
FIELDS = ("question", "answer", "doc_id", "quote", "source")


def _page(request: Request, hoidap: Hoidap, result: dict | None = None, draft: dict | None = None,
          status_code: int = 200):
    return templates.TemplateResponse(request, "admin_curated.html", {
        "items": hoidap.answerer.curated.list(), "docs": hoidap.store.documents(),
        "result": result, "draft": draft or {},
    }, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def curated_page(request: Request, hoidap: HoidapDep, question: str = ""):
    return _page(request, hoidap, draft={"question": question[:1000]})  # prefilled from the stats page


@router.post("", response_class=HTMLResponse)
async def add(request: Request, hoidap: HoidapDep):
    form = await request.form(max_files=0, max_fields=len(FIELDS) + 1)
    draft = {key: str(form.get(key, "")).strip()[:5000] for key in FIELDS}
    if draft["doc_id"] and hoidap.store.document(draft["doc_id"]) is None:
        return _page(request, hoidap, {"error": "Không có văn bản đã chọn."}, draft, 400)
    try:
        item = hoidap.answerer.curated.add(**draft)
    except ValueError as exc:
        return _page(request, hoidap, {"error": str(exc)}, draft, 400)
    return _page(request, hoidap, {"ok": f"Đã thêm câu trả lời soạn sẵn số {item.id}."})


@router.post("/{curated_id}/delete", response_class=HTMLResponse)
def remove(request: Request, curated_id: int, hoidap: HoidapDep):
    if not hoidap.answerer.curated.remove(curated_id):
        return _page(request, hoidap, {"error": f"Không có câu trả lời số {curated_id}."}, status_code=404)
    return _page(request, hoidap, {"ok": f"Đã xóa câu trả lời số {curated_id}."})
