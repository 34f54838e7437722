"""The supervision officer's alert screen: one alert with its acknowledge and close forms (the same
service as the API, `supervision.alerts`, which checks the officer, the scope and writes the event and the
audit entry), and the live count of open alerts the navigation shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from haiquan.kit.errors import DomainError
from haiquan.supervision import alerts, repository
from haiquan.supervision.schemas import AlertActionIn
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
AlertId = Annotated[int, PathParam(ge=1, le=2**62)]
ACTIONS = {"acknowledge": alerts.acknowledge, "close": alerts.close}

i18n.add_messages(
    {
        "sv.alert": ("Cảnh báo số {id}", "Alert {id}"),
        "sv.acknowledge": ("Tiếp nhận cảnh báo", "Acknowledge the alert"),
        "sv.close": ("Đóng cảnh báo", "Close the alert"),
        "sv.acknowledged_by": ("Người tiếp nhận", "Acknowledged by"),
        "sv.closed_by": ("Người đóng", "Closed by"),
        "sv.open_count": ("{n} cảnh báo đang mở", "{n} open alerts"),
        "sv.done.acknowledge": ("Đã tiếp nhận cảnh báo", "The alert is acknowledged"),
        "sv.done.close": ("Đã đóng cảnh báo", "The alert is closed"),
        "sv.back": ("Danh sách cảnh báo", "All alerts"),
        "field.note": ("Ghi chú", "Note"),
    }
)


@router.get("/supervision/alerts/count", name="alert_count")
def open_count(request: Request, ctx: PageCtx) -> Response:
    """{"count": n}: the open alerts of the officer's units, for the navigation's badge. A poll, not a use
    of the session by the officer: it keeps no idle session alive."""
    request.state.background = True
    n = repository.count_alerts(ctx.session, scope=ctx.principal.scope, status="open")
    label = i18n.t("sv.open_count", i18n.lang_of(request), n=n)
    return JSONResponse({"count": n, "label": label}, headers={"Cache-Control": "no-store"})


def _page(request: Request, ctx: Any, alert_id: int, errors: workforms.Errors | None = None,
          values: dict[str, str] | None = None, status_code: int = 200) -> Response:  # fmt: skip
    row = repository.alert(ctx.session, alert_id, scope=ctx.principal.scope)
    lang = i18n.lang_of(request)
    context = {
        "a": row,
        "title": alerts.title(row.kind)[0 if lang != "en" else 1],
        "errors": errors or workforms.Errors(lang),
        "values": values or {},
        "action": (values or {}).get("action", ""),
    }
    return render(request, "supervision_alert.html", context, status_code=status_code)


@router.get("/supervision/alerts/{alert_id}", name="alert_page")
def alert_page(request: Request, ctx: PageCtx, alert_id: AlertId) -> Response:
    return _page(request, ctx, alert_id)


@router.post("/supervision/alerts/{alert_id}/{action}", name="alert_action")
async def alert_action(request: Request, ctx: PageCtx, alert_id: AlertId, action: str) -> Response:
    values = await workforms.posted(request, ctx)
    values["action"] = action
    errors = workforms.Errors(i18n.lang_of(request))
    repository.alert(ctx.session, alert_id, scope=ctx.principal.scope)  # the not-found page first
    act = ACTIONS.get(action)
    if act is None:
        errors.add("form", "err.choice")
        return _page(request, ctx, alert_id, errors, values, errors.status)
    try:
        body = AlertActionIn(note=values.get("note", ""))
        act(ctx.session, principal=ctx.principal, alert_id=alert_id, note=body.note)
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _page(request, ctx, alert_id, errors, values, errors.status)
    return workforms.done(ctx, request.app.url_path_for("alert_page", alert_id=alert_id), f"sv.done.{action}")
