"""The analyst's profile screens: the profiles list, one profile's edit form with its history, and the
criteria test (how many past declarations of the analyst's scope a text would have hit). Every change goes
through the API's service (`risk.profiles`), with the API's roles (analysts and administrators); the engine
reads the profiles again once the change is committed, as after the API's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.kit import clock
from haiquan.kit.errors import DomainError
from haiquan.risk import profiles, watch
from haiquan.risk.api import ANALYSTS
from haiquan.risk.engine import RiskEngine
from haiquan.risk.schemas import ProfileChange, ProfileIn, ProfileTestIn
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
EDITABLE = ("name", "criteria", "valid_from", "valid_to", "reason_vi", "reason_en")

i18n.add_messages(
    {
        "an.profiles": ("Hồ sơ rủi ro", "Risk profiles"),
        "an.profile": ("Hồ sơ rủi ro {id}", "Risk profile {id}"),
        "an.version": ("Phiên bản", "Version"),
        "an.active": ("Đang áp dụng", "Active"),
        "an.inactive": ("Tạm dừng", "Paused"),
        "an.updated": ("Cập nhật", "Updated"),
        "an.edit": ("Sửa hồ sơ (tạo phiên bản mới)", "Edit the profile (a new version)"),
        "an.history": ("Các phiên bản", "Versions"),
        "an.test": ("Thử tiêu chí trên tờ khai đã có", "Test the criteria on past declarations"),
        "an.test_run": ("Chạy thử", "Run the test"),
        "an.test_result": (
            "{hits} trên {declarations} tờ khai trúng tiêu chí ({share})",
            "{hits} of {declarations} declarations hit ({share})",
        ),
        "an.lanes_then": (
            "Luồng khi đó: xanh {green}, xanh dương {blue}, vàng {yellow}, đỏ {red}",
            "Lanes then: green {green}, blue {blue}, yellow {yellow}, red {red}",
        ),
        "an.frauds": ("Phát hiện vi phạm trong số trúng: {n}", "Frauds found among the hits: {n}"),
        "an.sample": ("Ví dụ", "Sample"),
        "an.saved": ("Đã lưu phiên bản mới của hồ sơ", "The profile's new version is saved"),
        "an.screens": ("Màn hình phân tích", "Analysis screens"),
        "an.new": ("Thêm hồ sơ rủi ro", "Add a risk profile"),
        "an.created": ("Đã thêm hồ sơ rủi ro", "The risk profile is added"),
        "an.new_hint": (
            "Chạy thử tiêu chí trên tờ khai đã có trước khi lưu.",
            "Test the criteria on past declarations before saving.",
        ),
        "field.id": ("Mã hồ sơ (chữ in hoa, số, - _)", "Profile ID (capitals, digits, - _)"),
        "field.units": (
            "Đơn vị áp dụng (mã, cách nhau dấu phẩy; trống = mọi đơn vị)",
            "Units (codes, comma-separated; empty = all)",
        ),
        "err.conflict.id": ("Mã hồ sơ đã có", "A profile with this ID exists"),
        "err.validation_failed.units": ("Đơn vị không tồn tại", "No such unit"),
        "err.no_rate": (
            "Chưa có tỷ giá hôm nay cho ngoại tệ này",
            "No exchange rate for this currency today",
        ),
        "field.name": ("Tên", "Name"),
        "field.criteria": ("Tiêu chí", "Criteria"),
        "field.valid_from": ("Hiệu lực từ", "Valid from"),
        "field.valid_to": ("Hiệu lực đến", "Valid to"),
        "field.reason_vi": ("Lý do (tiếng Việt)", "Reason (Vietnamese)"),
        "field.reason_en": ("Lý do (tiếng Anh)", "Reason (English)"),
        "field.why": ("Lý do thay đổi", "Why the change"),
        "field.active": ("Đang áp dụng", "Active"),
        "field.date_from": ("Từ ngày", "From"),
        "field.date_to": ("Đến ngày", "To"),
        "err.bad_criteria": ("Tiêu chí sai cú pháp", "The criteria do not parse"),
        "err.validation_failed.date_to": ("Ngày kết thúc trước ngày bắt đầu", "The end is before the start"),
        "err.validation_failed.date_from": ("Mỗi lần thử tối đa một năm", "Test at most one year at a time"),
    }
)


def _analyst(ctx: Any) -> str:
    ctx.principal.require_officer(*ANALYSTS)
    return str(ctx.principal.label)


def invalidate_on_commit(request: Request, ctx: Any) -> None:
    """The channel engine reads its reference data again once the change is committed (as the API does)."""
    engine = getattr(request.app.state, "channel_engine", None)
    if isinstance(engine, RiskEngine):
        ctx.uow.after_commit(engine.invalidate)


@router.get("/risk/profiles", name="profiles_page")
def profiles_page(request: Request, ctx: PageCtx) -> Response:
    _analyst(ctx)
    return render(request, "analyst_profiles.html", {"rows": profiles.listing(ctx.session)})


def _new(request: Request, ctx: Any, values: dict[str, str], errors: workforms.Errors | None = None,
         test: dict[str, Any] | None = None, code: int = 200) -> Response:  # fmt: skip
    today = clock.today_vn()
    shown = {"date_from": str(today - timedelta(days=90)), "date_to": str(today), "active": "1"} | values
    context = {"values": shown, "errors": errors or workforms.Errors(i18n.lang_of(request)), "test": test}
    return render(request, "analyst_profile_new.html", context, status_code=code)


@router.get("/risk/profiles/new", name="profile_new")
def profile_new(request: Request, ctx: PageCtx) -> Response:
    _analyst(ctx)
    return _new(request, ctx, {})


def _profile_in(values: dict[str, str]) -> ProfileIn:
    units = [u.strip().upper() for u in values.get("units", "").replace(";", ",").split(",") if u.strip()]
    data: dict[str, Any] = {
        k: values.get(k, "") for k in ("name", "criteria", "reason_vi", "reason_en", "why")
    }
    data |= {"id": values.get("id", "").upper(), "units": units, "active": bool(values.get("active"))}
    data |= {"valid_from": values.get("valid_from") or None, "valid_to": values.get("valid_to") or None}
    return ProfileIn.model_validate(data)


@router.post("/risk/profiles/new", name="profile_create")
async def profile_create(request: Request, ctx: PageCtx) -> Response:
    """Save the new profile, or (the "test" button) run its criteria on past declarations first."""
    actor = _analyst(ctx)
    values = await workforms.posted(request, ctx)
    if values.get("do") == "test":
        errors, result = _run_test(request, ctx, values)
        return _new(request, ctx, values, errors, result, errors.status if errors else 200)
    errors = workforms.Errors(i18n.lang_of(request))
    names = {str(i): "units" for i in range(500)}
    try:
        row = profiles.create(ctx.session, data=_profile_in(values), actor=actor)
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc, names)
    if errors:
        return _new(request, ctx, values, errors, code=errors.status)
    invalidate_on_commit(request, ctx)
    return workforms.done(ctx, request.app.url_path_for("profile_page", profile_id=row.id), "an.created")


def _profile(request: Request, ctx: Any, profile_id: str, *, values: dict[str, str] | None = None,
             errors: workforms.Errors | None = None, test: dict[str, Any] | None = None,
             form: str = "", code: int = 200) -> Response:  # fmt: skip
    row = profiles.get(ctx.session, profile_id)
    today = clock.today_vn()
    shown = {k: ("" if getattr(row, k) is None else str(getattr(row, k))) for k in EDITABLE}
    shown |= {
        "active": "1" if row.active else "",
        "date_from": str(today - timedelta(days=90)),
        "date_to": str(today),
    }
    context = {
        "p": row, "versions": profiles.versions(ctx.session, profile_id), "values": shown | (values or {}),
        "errors": errors or workforms.Errors(i18n.lang_of(request)), "test": test, "form": form,
    }  # fmt: skip
    return render(request, "analyst_profile.html", context, status_code=code)


@router.get("/risk/profiles/{profile_id}", name="profile_page")
def profile_page(request: Request, ctx: PageCtx, profile_id: str) -> Response:
    _analyst(ctx)
    return _profile(request, ctx, profile_id[:40])


def _change(values: dict[str, str]) -> ProfileChange:
    data: dict[str, Any] = {k: (values.get(k) or None) for k in EDITABLE}
    data |= {"reason_vi": values.get("reason_vi", ""), "reason_en": values.get("reason_en", "")}
    data |= {"active": bool(values.get("active")), "why": values.get("why", "")}
    return ProfileChange.model_validate(data)


@router.post("/risk/profiles/{profile_id}", name="profile_submit")
async def profile_submit(request: Request, ctx: PageCtx, profile_id: str) -> Response:
    actor = _analyst(ctx)
    values = await workforms.posted(request, ctx)
    profiles.get(ctx.session, profile_id)  # the not-found page first
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        profiles.change(ctx.session, profile_id=profile_id, data=_change(values), actor=actor)
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _profile(
            request, ctx, profile_id, values=values, errors=errors, form="edit", code=errors.status
        )
    invalidate_on_commit(request, ctx)
    return workforms.done(ctx, request.app.url_path_for("profile_page", profile_id=profile_id), "an.saved")


def _watched(request: Request, ctx: Any) -> dict[str, frozenset[str]]:
    engine = getattr(request.app.state, "channel_engine", None)
    return (
        engine.reference(ctx.session).watched
        if isinstance(engine, RiskEngine)
        else watch.load_sets(ctx.session)
    )


def _run_test(
    request: Request, ctx: Any, values: dict[str, str]
) -> tuple[workforms.Errors, dict[str, Any] | None]:
    """The criteria test as the API's: how many past declarations of the caller's scope the text hits."""
    errors = workforms.Errors(i18n.lang_of(request))
    result = None
    try:
        body = ProfileTestIn.model_validate(
            {"criteria": values.get("criteria", ""), "date_from": values.get("date_from") or None,
             "date_to": values.get("date_to") or None}
        )  # fmt: skip
        result = profiles.test(ctx.session, text=body.criteria, scope=ctx.principal.scope, date_from=body.date_from,
                               date_to=body.date_to, watched=_watched(request, ctx))  # fmt: skip
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    return errors, result


@router.post("/risk/profiles/{profile_id}/test", name="profile_test")
async def profile_test(request: Request, ctx: PageCtx, profile_id: str) -> Response:
    _analyst(ctx)
    values = await workforms.posted(request, ctx)
    errors, result = _run_test(request, ctx, values)
    code = errors.status if errors else 200
    return _profile(
        request, ctx, profile_id[:40], values=values, errors=errors, test=result, form="test", code=code
    )
