"""The analyst's page of challenger/champion comparisons (`/risk/comparisons`): the figures of both
models on the held-out period as Plotly charts (the shared bundle), and the promote/reject form whose
decision is audited. Vietnamese first, English with ?lang=en."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haiquan.kit.errors import DomainError, ValidationFailed
from haiquan.risk import retraining
from haiquan.risk.api import ANALYSTS
from haiquan.risk.retraining_api import holder
from haiquan.web.i18n import add_messages
from haiquan.web.render import add_template_dir, render, set_flash
from haiquan.web.session import PageCtx, check_csrf

router = APIRouter(tags=["risk"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages({
    "cmp.title": ("So sánh mô hình thách thức và mô hình đang dùng", "Challenger and champion compared"),
    "cmp.none": ("Chưa có lần so sánh nào: chạy haiquan risk train --from-database", "No comparison yet: run haiquan risk train --from-database"),
    "cmp.promote": ("Đưa mô hình thách thức vào sử dụng", "Promote the challenger"),
    "cmp.reject": ("Giữ mô hình hiện tại", "Keep the champion"),
    "cmp.why": ("Lý do quyết định", "Why"),
    "cmp.done": ("Đã ghi nhận quyết định", "The decision is recorded"),
})  # fmt: skip


@router.get("/risk/comparisons", response_class=HTMLResponse, name="comparisons_page")
def comparisons_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(*ANALYSTS)
    rows = retraining.comparisons(ctx.session)
    data = [{"id": r.id, "metrics": r.metrics} for r in rows]
    blob = json.dumps(data, default=str).replace("<", "\\u003c")
    return render(request, "risk_comparisons.html", {"rows": rows, "data_json": blob})


@router.post("/risk/comparisons/{comparison_id}/decision", name="comparison_decide")
async def decide_submit(request: Request, ctx: PageCtx, comparison_id: str) -> Response:
    ctx.principal.require_officer(*ANALYSTS)
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    why = str(form.get("why") or "").strip()[:2000]
    if len(why) < 3:
        raise ValidationFailed("say why (at least 3 characters)", field="why")
    try:
        retraining.decide(ctx.session, comparison_id=comparison_id[:32], promote=form.get("promote") == "yes",
                          why=why, actor=ctx.principal.label, holder=holder(request))  # fmt: skip
    except DomainError:
        ctx.uow.rollback()
        raise
    ctx.uow.commit()
    response = RedirectResponse(request.app.url_path_for("comparisons_page"), status_code=303)
    set_flash(response, "cmp.done")
    return response
