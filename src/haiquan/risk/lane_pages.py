"""The analyst's lane screens: an office's lane rates, the active lane overrides (set one, end one), the
value-control bounds (set by hand) and the learned models (which is champion, promote another). Every
change goes through the API's service (`risk.lanes`, `risk.valuecontrol`, `risk.registry`) with the API's
roles; the engine reads its reference again once the change is committed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.kit.errors import DomainError
from haiquan.risk import lanes, registry, scoring, valuecontrol
from haiquan.risk.analyst_pages import invalidate_on_commit
from haiquan.risk.api import ANALYSTS, READERS
from haiquan.risk.engine import RiskEngine
from haiquan.risk.schemas import LaneRatesIn, OverrideIn, ValueControlIn
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
RATES = ("green", "blue", "yellow", "red", "random_share")

i18n.add_messages(
    {
        "an.lanes": ("Tỷ lệ phân luồng và chỉ định luồng", "Lane rates and overrides"),
        "an.rates_of": ("Tỷ lệ phân luồng của {office}", "Lane rates of {office}"),
        "an.rates_default": ("(mặc định toàn ngành)", "(the default)"),
        "an.overrides": ("Chỉ định luồng đang hiệu lực", "Active lane overrides"),
        "an.override_add": ("Chỉ định luồng", "Set a lane override"),
        "an.override_end": ("Kết thúc", "End"),
        "an.value_control": ("Kiểm soát trị giá", "Value control"),
        "an.vc_edit": ("Đặt ngưỡng trị giá", "Set the bounds"),
        "an.models": ("Mô hình học máy", "Learned models"),
        "an.models_register": (
            "Đăng ký mô hình mới: tệp mô hình do lệnh haiquan risk train tạo trên máy chủ, đăng ký qua API "
            "POST /api/v1/risk/models (đường dẫn tệp); trang này chỉ chọn mô hình đã đăng ký để sử dụng.",
            "To register a new model: the file written by haiquan risk train on the server, registered through "
            "POST /api/v1/risk/models (its path); this page only chooses which registered model serves.",
        ),
        "an.champion": ("Đang dùng (champion)", "Serving (champion)"),
        "an.promote": ("Chuyển sang dùng mô hình này", "Serve this model"),
        "an.done.rates": ("Đã lưu tỷ lệ phân luồng", "The lane rates are saved"),
        "an.done.override": ("Đã chỉ định luồng", "The override is set"),
        "an.done.override_end": ("Đã kết thúc chỉ định luồng", "The override has ended"),
        "an.done.vc": ("Đã lưu ngưỡng trị giá", "The bounds are saved"),
        "an.done.promote": ("Đã chuyển mô hình", "The model now serves"),
        "field.office": ("Chi cục", "Office"),
        "field.green": ("Xanh (%)", "Green (%)"),
        "field.yellow": ("Vàng (%)", "Yellow (%)"),
        "field.blue": ("Xanh dương: thông quan, kiểm tra sau (%)", "Blue: release now, audit later (%)"),
        "field.red": ("Đỏ (%)", "Red (%)"),
        "field.random_share": ("Ngẫu nhiên (%)", "Random (%)"),
        "field.subject": ("Đối tượng", "Subject"),
        "field.value": ("Giá trị (MST hoặc số tờ khai)", "Value (tax code or declaration)"),
        "field.channel": ("Luồng", "Channel"),
        "field.reason": ("Lý do", "Reason"),
        "field.expires_at": ("Hết hiệu lực", "Expires"),
        "field.hs_code": ("Mã HS (8 số)", "HS code (8 digits)"),
        "field.origin": ("Xuất xứ (mã 2 chữ hoặc *)", "Origin (2 letters or *)"),
        "field.min_unit_value": ("Đơn giá tối thiểu (USD)", "Lowest unit value (USD)"),
        "field.max_unit_value": ("Đơn giá tối đa (USD)", "Highest unit value (USD)"),
        "field.median": ("Trung vị", "Median"),
        "field.samples": ("Số mẫu", "Samples"),
        "field.source": ("Nguồn", "Source"),
        "field.version": ("Phiên bản", "Version"),
        "field.metrics": ("Chỉ số", "Metrics"),
        "err.bad_rates": (
            "Tổng tỷ lệ xanh, xanh dương, vàng, đỏ phải bằng 100",
            "Green, blue, yellow and red add up to 100",
        ),
        "err.bad_model": (
            "Mô hình không dùng được; mô hình hiện tại vẫn được dùng",
            "The model cannot serve; the current one stays",
        ),
    }
)
i18n.add_labels("override_subject", {"declarant": ("Người khai", "Declarant"), "importer": ("Người nhập khẩu", "Importer"),
                                     "declaration": ("Tờ khai", "Declaration")})  # fmt: skip


def _office(value: str) -> str:
    office = value.strip().upper()[:16]
    return office or lanes.DEFAULT_OFFICE


def _lanes(request: Request, ctx: Any, values: dict[str, str] | None = None, errors: workforms.Errors | None = None,
           form: str = "", code: int = 200) -> Response:  # fmt: skip
    office = _office((values or {}).get("office") or request.query_params.get("office", ""))
    context = {
        "rates": lanes.rates(ctx.session, office), "overrides": lanes.overrides(ctx.session), "office": office,
        "values": values or {}, "errors": errors or workforms.Errors(i18n.lang_of(request)), "form": form,
        "can_edit": ctx.principal.role in ANALYSTS,
    }  # fmt: skip
    return render(request, "analyst_lanes.html", context, status_code=code)


@router.get("/risk/lanes", name="lanes_page")
def lanes_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(*READERS)
    return _lanes(request, ctx)


async def _run(request: Request, ctx: Any, act: Callable[[dict[str, str], str], Any], *, page: Callable[..., Response],
               form: str, back: str, flash: str) -> Response:  # fmt: skip
    """One form of these screens: the API's role, the CSRF token, the service; its refusal on the page."""
    ctx.principal.require_officer(*ANALYSTS)
    values = await workforms.posted(request, ctx)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        act(values, ctx.principal.label)
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return page(request, ctx, values, errors, form, errors.status)
    invalidate_on_commit(request, ctx)
    return workforms.done(ctx, back, flash)


@router.post("/risk/lanes", name="rates_submit")
async def rates_submit(request: Request, ctx: PageCtx) -> Response:
    def act(v: dict[str, str], actor: str) -> None:
        given = {k: v.get(k, "").replace(",", ".") for k in RATES}
        data = LaneRatesIn.model_validate(
            {k: x for k, x in given.items() if x or k not in ("random_share", "blue")}
        )
        lanes.set_rates(ctx.session, office=_office(v.get("office", "")), data=data, actor=actor)

    return await _run(request, ctx, act, page=_lanes, form="rates", back="/risk/lanes", flash="an.done.rates")


@router.post("/risk/overrides", name="override_submit")
async def override_submit(request: Request, ctx: PageCtx) -> Response:
    def act(v: dict[str, str], actor: str) -> None:
        expires = v.get("expires_at", "")
        data = OverrideIn.model_validate(
            {"subject": v.get("subject") or None, "value": v.get("value", ""), "channel": v.get("channel") or None,
             "reason": v.get("reason", ""), "office": v.get("office") or None,
             "expires_at": f"{expires}T23:59:59+07:00" if expires else None}
        )  # fmt: skip
        lanes.add_override(ctx.session, data=data, actor=actor)

    return await _run(
        request, ctx, act, page=_lanes, form="override", back="/risk/lanes", flash="an.done.override"
    )


@router.post("/risk/overrides/{override_id}/end", name="override_end")
async def override_end(request: Request, ctx: PageCtx, override_id: str) -> Response:
    def act(v: dict[str, str], actor: str) -> None:
        lanes.end_override(ctx.session, override_id=override_id[:40], actor=actor)

    return await _run(
        request, ctx, act, page=_lanes, form="", back="/risk/lanes", flash="an.done.override_end"
    )


def _vc(request: Request, ctx: Any, values: dict[str, str] | None = None, errors: workforms.Errors | None = None,
        form: str = "", code: int = 200) -> Response:  # fmt: skip
    prefix = "".join(c for c in request.query_params.get("hs_prefix", "") if c.isdigit())[:8]
    context = {"rows": valuecontrol.listing(ctx.session, hs_prefix=prefix, limit=200), "hs_prefix": prefix,
               "values": values or {}, "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "analyst_value_control.html", context, status_code=code)


@router.get("/risk/value-control", name="value_control_page")
def value_control_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(*ANALYSTS)
    return _vc(request, ctx)


@router.post("/risk/value-control", name="value_control_submit")
async def value_control_submit(request: Request, ctx: PageCtx) -> Response:
    def act(v: dict[str, str], actor: str) -> None:
        data = ValueControlIn.model_validate(
            {"min_unit_value": v.get("min_unit_value", "").replace(",", ".") or None,
             "max_unit_value": v.get("max_unit_value", "").replace(",", ".") or None, "why": v.get("why", "")}
        )  # fmt: skip
        valuecontrol.edit(
            ctx.session, hs_code=v.get("hs_code", ""), origin=v.get("origin", ""), data=data, actor=actor
        )

    back = "/risk/value-control"
    return await _run(request, ctx, act, page=_vc, form="vc", back=back, flash="an.done.vc")


def _models(request: Request, ctx: Any, values: dict[str, str] | None = None, errors: workforms.Errors | None = None,
            form: str = "", code: int = 200) -> Response:  # fmt: skip
    context = {
        "rows": registry.listing(ctx.session),
        "errors": errors or workforms.Errors(i18n.lang_of(request)),
    }
    return render(request, "analyst_models.html", context, status_code=code)


@router.get("/risk/models", name="models_page")
def models_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(*ANALYSTS)
    return _models(request, ctx)


@router.post("/risk/models/{version}/promote", name="model_promote")
async def model_promote(request: Request, ctx: PageCtx, version: str) -> Response:
    def act(v: dict[str, str], actor: str) -> None:
        engine = getattr(request.app.state, "channel_engine", None)
        holder = engine.models if isinstance(engine, RiskEngine) else scoring.ModelHolder()
        registry.promote(ctx.session, version=version[:80], actor=actor, holder=holder)

    return await _run(request, ctx, act, page=_models, form="", back="/risk/models", flash="an.done.promote")
