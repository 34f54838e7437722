"""The officer's finalisation pages (Vietnamese first, English with ?lang=en): the reports of the units in
scope with the open discrepancies, one report with its materials and the resolve form of each open
discrepancy (the same use case as the API), and the Excel export of an enterprise's stock ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.kit.auth import DECIDING_ROLES
from haiquan.kit.errors import DomainError
from haiquan.regimes import finalisation, finalisation_export
from haiquan.regimes import finalisation_repository as repo
from haiquan.regimes.finalisation_schemas import ResolveIn
from haiquan.web import i18n, nav, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
FinalisationId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]
LineId = Annotated[int, PathParam(ge=1, le=2**62)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

i18n.add_messages(
    {
        "nav.finalisations": ("Quyết toán", "Finalisation"),
        "fin.title": ("Báo cáo quyết toán", "Finalisation reports"),
        "fin.tasks": ("Chênh lệch chờ xử lý", "Discrepancies to resolve"),
        "fin.none": ("Không có báo cáo nào.", "No report."),
        "fin.no_tasks": ("Không có chênh lệch nào đang mở.", "No open discrepancy."),
        "fin.report": ("Báo cáo quyết toán {tax} · {regime}", "Finalisation {tax} · {regime}"),
        "fin.tax_code": ("Mã số thuế", "Tax code"),
        "fin.regime": ("Loại hình", "Regime"),
        "fin.period": ("Kỳ báo cáo", "Period"),
        "fin.office": ("Chi cục quản lý", "Managing office"),
        "fin.filed": ("Nộp lúc", "Filed"),
        "fin.materials": ("Số mã nguyên liệu", "Materials"),
        "fin.discrepancies": ("Số chênh lệch", "Discrepancies"),
        "fin.duty": ("Thuế liên quan (VND)", "Duty at stake (VND)"),
        "fin.material": ("Nguyên liệu", "Material"),
        "fin.opening": ("Tồn đầu kỳ", "Opening"),
        "fin.inflow": ("Nhập trong kỳ", "In"),
        "fin.outflow": ("Xuất khác", "Other out"),
        "fin.used": ("Sử dụng theo định mức", "Used by norms"),
        "fin.declared": ("Tồn doanh nghiệp khai", "Declared held"),
        "fin.difference": ("Chênh lệch", "Difference"),
        "fin.task": ("Xử lý", "Task"),
        "fin.resolve": ("Xử lý chênh lệch", "Resolve"),
        "fin.outcome": ("Kết luận", "Outcome"),
        "fin.note": ("Ghi chú", "Note"),
        "fin.ledger_xlsx": ("Xuất sổ theo dõi (Excel)", "Ledger as Excel"),
        "fin.back": ("Danh sách báo cáo quyết toán", "All finalisation reports"),
        "fin.done.resolve": ("Đã xử lý chênh lệch", "The discrepancy is resolved"),
    }
)
i18n.add_labels(
    "fin_task",
    {"none": ("Khớp", "Matches"), "open": ("Chờ xử lý", "Open"), "resolved": ("Đã xử lý", "Resolved")},
)
i18n.add_labels(
    "fin_outcome",
    {"explained": ("Đã giải trình", "Explained"), "duty_due": ("Ấn định thuế", "Duty due"), "": ("", "")},
)
nav.register("nav.finalisations", "/regimes/finalisations", roles=tuple(sorted(DECIDING_ROLES)))


@router.get("/regimes/finalisations", name="finalisation_list_page")
def finalisation_list(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer()
    scope = ctx.principal.scope
    context = {
        "items": repo.finalisations(ctx.session, scope=scope, tax_code=None, limit=200),
        "tasks": repo.open_tasks(ctx.session, scope=scope, limit=200),
    }
    return render(request, "regimes_finalisations.html", context)


def _page(request: Request, ctx: Any, finalisation_id: str, errors: workforms.Errors | None = None,
          values: dict[str, str] | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx.principal.require_officer()
    scope = ctx.principal.scope
    f = repo.finalisation(ctx.session, finalisation_id, scope=scope)
    context = {
        "f": f,
        "lines": repo.lines(ctx.session, f.id, scope=scope),
        "errors": errors or workforms.Errors(i18n.lang_of(request)),
        "values": values or {},
    }
    return render(request, "regimes_finalisation.html", context, status_code=status_code)


@router.get("/regimes/finalisations/{finalisation_id}", name="finalisation_page")
def finalisation_page(request: Request, ctx: PageCtx, finalisation_id: FinalisationId) -> Response:
    return _page(request, ctx, finalisation_id)


@router.post("/regimes/finalisations/{finalisation_id}/lines/{line_id}/resolve", name="finalisation_resolve")
async def resolve(
    request: Request, ctx: PageCtx, finalisation_id: FinalisationId, line_id: LineId
) -> Response:
    values = await workforms.posted(request, ctx)
    values["line_id"] = str(line_id)
    errors = workforms.Errors(i18n.lang_of(request))
    repo.finalisation(ctx.session, finalisation_id, scope=ctx.principal.scope)  # the not-found page first
    try:
        body = ResolveIn(outcome=values.get("outcome", ""), note=values.get("note", ""))
        finalisation.resolve(ctx.session, principal=ctx.principal, finalisation_id=finalisation_id,
                             line_id=line_id, outcome=body.outcome, note=body.note)  # fmt: skip
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _page(request, ctx, finalisation_id, errors, values, errors.status)
    url = request.app.url_path_for("finalisation_page", finalisation_id=finalisation_id)
    return workforms.done(ctx, url, "fin.done.resolve")


@router.get("/regimes/ledger.xlsx", name="regime_ledger_xlsx")
def ledger_xlsx(
    request: Request, ctx: PageCtx, tax_code: Annotated[str, Query(pattern=r"^\d{10}(\d{3})?$")]
) -> Response:
    ctx.principal.require_officer()
    data = finalisation_export.ledger_xlsx(ctx.session, scope=ctx.principal.scope, tax_code=tax_code,
                                           lang=i18n.lang_of(request))  # fmt: skip
    name = f"ledger_{tax_code}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
