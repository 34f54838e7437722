"""The enforcement officer's forms read into the API's own request models (`CaseIn`, `SeizureItemIn`,
`TransitionIn`, `PersonIn`), and the Vietnamese-first names of the codes they carry."""

from __future__ import annotations

from typing import Any

from haiquan.enforcement import domain
from haiquan.enforcement.schemas import CaseIn, CasePatch, LinkIn, PersonIn, SeizureItemIn, TransitionIn
from haiquan.web import i18n

AGENCIES = domain.AGENCIES
PERSON_ROLES = ("suspect", "detained", "witness", "owner")
MEASURES = tuple(m.value for m in domain.Measure)

i18n.add_labels(
    "case_status",
    {
        "detected": ("Mới phát hiện", "Detected"),
        "under_investigation": ("Đang điều tra", "Under investigation"),
        "prosecuted": ("Đã khởi tố", "Prosecuted"),
        "transferred_police": ("Chuyển Công an", "Transferred to the police"),
        "transferred_border_guard": ("Chuyển Biên phòng", "Transferred to the border guard"),
        "transferred_other": ("Chuyển cơ quan khác", "Transferred to another agency"),
        "closed": ("Đã kết thúc", "Closed"),
    },
)
i18n.add_labels(
    "case_field",
    {
        "drugs": ("Ma túy", "Drugs"),
        "origin_fraud": ("Gian lận xuất xứ", "Origin fraud"),
        "undervaluation": ("Khai thấp trị giá", "Undervaluation"),
        "prohibited_goods": ("Hàng cấm", "Prohibited goods"),
        "weapons": ("Vũ khí", "Weapons"),
        "temporary_import_reexport": ("Tạm nhập tái xuất", "Temporary import for re-export"),
        "bonded_warehouse": ("Kho ngoại quan", "Bonded warehouse"),
        "transit": ("Quá cảnh", "Transit"),
        "independent_transport": ("Vận chuyển độc lập", "Independent transport"),
        "express_postal": ("Chuyển phát nhanh, bưu chính", "Express and postal"),
        "passenger": ("Hành khách xuất nhập cảnh", "Passengers"),
    },
)
i18n.add_labels("case_route", dict(domain.ROUTE_LABELS))
i18n.add_labels("case_category", {c.code: (c.name_vi, c.name_en) for c in domain.CATEGORIES.values()})
i18n.add_labels(
    "agency",
    {
        "border_guard": ("Bộ đội Biên phòng", "Border guard"),
        "police": ("Công an", "Police"),
        "coast_guard": ("Cảnh sát biển", "Coast guard"),
        "market_surveillance": ("Quản lý thị trường", "Market surveillance"),
        "other": ("Cơ quan khác", "Other agency"),
    },
)
i18n.add_labels(
    "person_role",
    {
        "suspect": ("Đối tượng", "Suspect"),
        "detained": ("Bị bắt giữ", "Detained"),
        "witness": ("Người làm chứng", "Witness"),
        "owner": ("Chủ hàng", "Owner"),
    },
)
i18n.add_labels(
    "measure",
    {"g": ("gam", "g"), "kg": ("kg", "kg"), "tablet": ("viên", "tablets"), "piece": ("chiếc/cái", "pieces"),
     "litre": ("lít", "litres")},
)  # fmt: skip
i18n.add_labels(
    "link_kind",
    {"declaration": ("Tờ khai", "Declaration"), "consignment": ("Vận đơn", "Consignment"),
     "container": ("Container", "Container"), "enterprise": ("Doanh nghiệp (MST)", "Enterprise (tax code)"),
     "consignee": ("Người nhận hàng", "Consignee")},
)  # fmt: skip
i18n.add_labels(
    "outcome", {"violation": ("Có vi phạm", "Violation"), "no_violation": ("Không vi phạm", "No violation")}
)


def _opt(v: str | None) -> str | None:
    return v or None


def case_in(v: dict[str, str]) -> CaseIn:
    return CaseIn.model_validate(
        {
            "unit": v.get("unit", "").upper(),
            "detected_on": v.get("detected_on") or None,
            "field": v.get("field") or None,
            "route": v.get("route") or None,
            "place": _opt(v.get("place", "").upper()),
            "province": _opt(v.get("province")),
            "summary": v.get("summary", ""),
            "coordinated_with": [a for a in AGENCIES if v.get(f"co_{a}")],
        }
    )


def seizure_in(v: dict[str, str]) -> SeizureItemIn:
    data: dict[str, Any] = {
        "category": v.get("category", ""),
        "quantity": v.get("quantity", "").replace(",", ".") or None,
        "unit": v.get("measure", ""),
        "count": _opt(v.get("count")),
        "count_unit": _opt(v.get("count_unit")),
        "value_vnd": _opt(v.get("value_vnd", "").replace(".", "")),
        "seized_on": _opt(v.get("seized_on")),
        "description": v.get("description", ""),
    }
    return SeizureItemIn.model_validate(data)


SEIZURE_NAMES = {"unit": "measure", "items.0.unit": "measure"}


def transition_in(v: dict[str, str]) -> TransitionIn:
    return TransitionIn.model_validate(
        {"to": v.get("to") or None, "decided_on": _opt(v.get("decided_on")), "outcome": _opt(v.get("outcome")),
         "note": v.get("note", "")}
    )  # fmt: skip


def person_in(v: dict[str, str]) -> PersonIn:
    return PersonIn.model_validate(
        {
            "full_name": v.get("full_name", ""),
            "id_number": _opt(v.get("id_number", "").upper()),
            "nationality": v.get("nationality", "").upper(),
            "birth_year": _opt(v.get("birth_year")),
            "role": v.get("role") or "suspect",
            "detained": bool(v.get("detained")),
        }
    )


def case_patch(v: dict[str, str]) -> CasePatch:
    """The edit form sends every field the API lets change: an emptied place or province is cleared."""
    return CasePatch.model_validate(
        {"summary": v.get("summary", ""), "place": _opt(v.get("place", "").upper()),
         "province": _opt(v.get("province")), "coordinated_with": [a for a in AGENCIES if v.get(f"co_{a}")]}
    )  # fmt: skip


LINK_KINDS = ("declaration", "consignment", "container", "enterprise", "consignee")
LINK_NAMES = {"kind": "link_kind", "value": "link_value", "note": "link_note"}


def link_in(v: dict[str, str]) -> LinkIn:
    return LinkIn.model_validate(
        {"kind": v.get("link_kind") or None, "value": v.get("link_value", ""), "note": v.get("link_note", "")}
    )


def next_statuses(current: str) -> list[str]:
    return sorted(s.value for s in domain.TRANSITIONS[domain.CaseStatus(current)])


i18n.add_messages(
    {
        "case.register": ("Sổ vụ việc", "Case register"),
        "case.open": ("Khởi tạo vụ việc", "Open a case"),
        "case.title": ("Vụ việc {number}", "Case {number}"),
        "case.number": ("Số vụ việc", "Case number"),
        "case.items": ("Tang vật", "Seized items"),
        "case.persons": ("Người liên quan", "Persons"),
        "case.persons_n": ("{n} người", "{n} persons"),
        "case.persons_open": (
            "Xem người liên quan (việc xem được ghi nhật ký)",
            "See the persons (each read is logged)",
        ),
        "case.persons_audited": (
            "Việc bạn xem danh sách này đã được ghi vào nhật ký kiểm toán.",
            "Your reading of this list has been written to the audit log.",
        ),
        "case.person_add": ("Thêm người liên quan", "Add a person"),
        "case.history": ("Lịch sử trạng thái", "Status history"),
        "case.links": ("Hồ sơ liên kết", "Linked records"),
        "case.seizure_add": ("Nhập tang vật thu giữ", "Record a seizure"),
        "case.status_change": ("Chuyển trạng thái", "Change the status"),
        "case.opened": ("Đã khởi tạo vụ việc", "The case is opened"),
        "case.seizure_added": ("Đã ghi tang vật", "The seizure is recorded"),
        "case.status_changed": ("Đã chuyển trạng thái vụ việc", "The case's status changed"),
        "case.person_added": ("Đã thêm người liên quan", "The person is added"),
        "case.edit": ("Sửa thông tin vụ việc", "Edit the case"),
        "case.edited": ("Đã lưu thông tin vụ việc", "The case is changed"),
        "case.link_add": ("Liên kết hồ sơ", "Link a record"),
        "case.linked": ("Đã liên kết hồ sơ với vụ việc", "The record is linked to the case"),
        "case.no_case_links": (
            "Liên kết giữa hai vụ việc chưa có trong API; ghi số vụ việc kia vào ghi chú.",
            "The API has no link between two cases; write the other case's number in the note.",
        ),
        "field.link_kind": ("Loại hồ sơ", "Kind of record"),
        "field.link_value": (
            "Số hồ sơ (tờ khai 12 số, vận đơn, container, MST...)",
            "Reference (12-digit declaration, bill, container, tax code...)",
        ),
        "field.link_note": ("Ghi chú liên kết", "Note on the link"),
        "err.conflict.link_value": (
            "Hồ sơ này đã được liên kết với vụ việc",
            "This record is already linked",
        ),
        "err.validation_failed.link_value": ("Số hồ sơ không đúng định dạng", "The reference is malformed"),
        "err.validation_failed.place": ("Mã địa điểm UN/LOCODE không đúng", "Not a UN/LOCODE"),
        "err.validation_failed.province": ("Không có tỉnh, thành phố này", "No such province"),
        "case.none": ("Không có vụ việc nào phù hợp.", "No case matches."),
        "case.no_items": ("Chưa ghi tang vật.", "No seizure recorded yet."),
        "case.actor": ("Người thực hiện", "By"),
        "case.coordinated": ("Phối hợp với", "Coordinated with"),
        "case.back": ("Về sổ vụ việc", "Back to the register"),
        "case.leaders_only": (
            "Chỉ lãnh đạo được quyết định khởi tố, chuyển hoặc kết thúc vụ việc.",
            "Only leaders decide to prosecute, transfer or close a case.",
        ),
        "err.conflict.outcome": (
            "Kết thúc vụ việc cần chọn kết quả; chỉ khi kết thúc mới chọn kết quả",
            "Closing a case needs an outcome, and only closing takes one",
        ),
        "err.forbidden.to": (
            "Khởi tố, chuyển hoặc kết thúc vụ việc là quyết định của lãnh đạo",
            "Prosecuting, transferring or closing a case is a leader's decision",
        ),
        "err.validation_failed.unit": (
            "Đơn vị không tồn tại hoặc ngoài phạm vi của bạn",
            "No such unit in your scope",
        ),
        "err.validation_failed.measure": (
            "Loại tang vật này không tính theo đơn vị này",
            "This category is not counted in this measure",
        ),
        "err.conflict.case_id": (
            "Vụ việc đã kết thúc, không thể ghi thêm",
            "The case is closed: nothing more can be added",
        ),
        "field.unit": ("Đơn vị", "Unit"),
        "field.from": ("Từ ngày", "From"),
        "field.to": ("Trạng thái mới", "New status"),
        "field.status": ("Trạng thái", "Status"),
        "field.detected_on": ("Ngày phát hiện", "Detected on"),
        "field.field": ("Lĩnh vực", "Field"),
        "field.route": ("Tuyến", "Route"),
        "field.place": ("Địa điểm (UN/LOCODE)", "Place (UN/LOCODE)"),
        "field.province": ("Tỉnh, thành phố", "Province"),
        "field.summary": ("Tóm tắt", "Summary"),
        "field.category": ("Loại tang vật", "Category"),
        "field.quantity": ("Số lượng", "Quantity"),
        "field.measure": ("Đơn vị tính", "Measure"),
        "field.count": ("Số đếm", "Count"),
        "field.count_unit": ("Đơn vị đếm", "Count unit"),
        "field.value_vnd": ("Trị giá (đồng)", "Value (VND)"),
        "field.seized_on": ("Ngày thu giữ", "Seized on"),
        "field.description": ("Mô tả", "Description"),
        "field.decided_on": ("Ngày quyết định", "Decided on"),
        "field.outcome": ("Kết quả", "Outcome"),
        "field.full_name": ("Họ và tên", "Full name"),
        "field.id_number": ("Số giấy tờ", "ID number"),
        "field.nationality": ("Quốc tịch (mã 2 chữ)", "Nationality (2 letters)"),
        "field.birth_year": ("Năm sinh", "Year of birth"),
        "field.role": ("Vai trò", "Role"),
        "field.detained": ("Bị bắt giữ", "Detained"),
    }
)
