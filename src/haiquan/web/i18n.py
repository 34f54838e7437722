"""A small message catalogue for the officers' pages: Vietnamese first, English available.

`t(key, lang, **values)` gives a message; `label(group, value, lang)` the name of a status, channel,
decision, ...; `lang_of(request)` the language asked for (`?lang=en|vi`, then the `hq_lang` cookie).
Other modules add their own keys with `add_messages({...})` and their labels with `add_labels(...)`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
COOKIE = "hq_lang"

# key: (Vietnamese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("Hải quan số", "Smart customs"),
    "app.tagline": ("Hệ thống hải quan thông minh", "Smart-customs platform"),
    "nav.queue": ("Hàng đợi", "Queue"),
    "nav.declarations": ("Tờ khai", "Declarations"),
    "nav.supervision": ("Giám sát", "Supervision"),
    "nav.risk": ("Quản lý rủi ro", "Risk"),
    "nav.payments": ("Thu nộp thuế", "Payments"),
    "nav.enforcement": ("Chống buôn lậu", "Enforcement"),
    "nav.reports": ("Báo cáo", "Reports"),
    "nav.sharing": ("Kết nối dữ liệu", "Data sharing"),
    "nav.main": ("Điều hướng chính", "Main navigation"),
    "top.unit": ("Đơn vị", "Unit"),
    "top.user": ("Người dùng", "User"),
    "top.logout": ("Đăng xuất", "Log out"),
    "top.language": ("Ngôn ngữ", "Language"),
    "footer.times": ("Giờ hiển thị theo giờ Việt Nam (GMT+7)", "Times shown in Vietnam time (GMT+7)"),
    "login.title": ("Đăng nhập", "Log in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
    "login.throttled": (
        "Nhập sai mật khẩu quá nhiều lần từ máy này. Vui lòng thử lại sau ít phút.",
        "Too many wrong passwords from this computer. Please try again in a few minutes.",
    ),
    "login.expired": (
        "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại",
        "Your session ended: log in again",
    ),
    "login.officers_only": ("Trang dành cho công chức hải quan", "These pages are for customs officers"),
    "logout.done": ("Đã đăng xuất", "You are logged out"),
    "queue.title": ("Hàng đợi kiểm tra", "Checks to do"),
    "queue.intro": (
        "Tờ khai luồng vàng và đỏ đang chờ kiểm tra, cũ nhất trước",
        "Yellow and red declarations under check, oldest first",
    ),
    "queue.mine": ("Chỉ của tôi", "Only mine"),
    "queue.all": ("Tất cả", "All"),
    "queue.filter": ("Lọc", "Filter"),
    "queue.empty": ("Không có tờ khai nào chờ kiểm tra", "Nothing waiting to be checked"),
    "queue.count": ("{count} tờ khai", "{count} declarations"),
    "col.number": ("Số tờ khai", "Number"),
    "col.kind": ("Loại", "Kind"),
    "col.office": ("Chi cục", "Office"),
    "col.status": ("Trạng thái", "Status"),
    "col.channel": ("Luồng", "Channel"),
    "col.declarant": ("Người khai", "Declarant"),
    "col.registered": ("Đăng ký lúc", "Registered"),
    "col.lodged": ("Khai lúc", "Lodged"),
    "col.deadline": ("Thời hạn", "Time limit"),
    "col.time_left": ("Thời gian còn lại", "Time left"),
    "col.assigned": ("Công chức", "Officer"),
    "col.duties": ("Tổng thuế", "Total duties"),
    "time.left": ("còn {time}", "{time} left"),
    "time.over": ("quá hạn {time}", "{time} overdue"),
    "time.hm": ("{h} giờ {m} phút", "{h} h {m} min"),
    "time.m": ("{m} phút", "{m} min"),
    "time.d": ("{d} ngày {h} giờ", "{d} d {h} h"),
    "unassigned": ("Chưa phân công", "Unassigned"),
    "none": ("—", "—"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "decls.title": ("Tra cứu tờ khai", "Declarations"),
    "decls.any": ("Tất cả", "Any"),
    "decls.search": ("Tìm", "Search"),
    "decls.next": ("Trang sau", "Next page"),
    "decls.first": ("Trang đầu", "First page"),
    "decls.empty": ("Không có tờ khai phù hợp", "No declaration matches"),
    "decl.title": ("Tờ khai {number}", "Declaration {number}"),
    "decl.header": ("Thông tin chung", "General"),
    "decl.code": ("Mã nghiệp vụ", "VNACCS code"),
    "decl.procedure": ("Mã loại hình", "Procedure code"),
    "decl.amendment": ("Lần sửa đổi", "Amendment"),
    "decl.parties": ("Các bên", "Parties"),
    "decl.importer": ("Người nhập khẩu", "Importer"),
    "decl.exporter": ("Người xuất khẩu", "Exporter"),
    "decl.declarant": ("Người khai (MST)", "Declarant (tax code)"),
    "decl.country": ("Nước", "Country"),
    "decl.transport": ("Vận chuyển", "Transport"),
    "decl.mode": ("Phương thức", "Mode"),
    "decl.document": ("Vận đơn", "Transport document"),
    "decl.containers": ("Container", "Containers"),
    "decl.packages": ("Số kiện", "Packages"),
    "decl.gross_mass": ("Tổng trọng lượng (kg)", "Gross mass (kg)"),
    "decl.invoice": ("Hóa đơn", "Invoice"),
    "decl.incoterm": ("Điều kiện giao hàng", "Incoterm"),
    "decl.amount": ("Trị giá hóa đơn", "Invoice amount"),
    "decl.freight": ("Phí vận chuyển", "Freight"),
    "decl.insurance": ("Phí bảo hiểm", "Insurance"),
    "decl.rate": ("Tỷ giá", "Exchange rate"),
    "decl.lines": ("Danh sách hàng ({count} dòng)", "Goods ({count} lines)"),
    "decl.line": ("Dòng", "Line"),
    "decl.hs": ("Mã HS", "HS code"),
    "decl.description": ("Mô tả hàng hóa", "Description"),
    "decl.origin": ("Xuất xứ", "Origin"),
    "decl.quantity": ("Lượng", "Quantity"),
    "decl.value": ("Trị giá", "Value"),
    "decl.customs_value": ("Trị giá tính thuế", "Customs value"),
    "decl.import_duty": ("Thuế nhập khẩu", "Import duty"),
    "decl.excise": ("Thuế TTĐB", "Excise"),
    "decl.vat": ("Thuế GTGT", "VAT"),
    "decl.export_duty": ("Thuế xuất khẩu", "Export duty"),
    "decl.scheme": ("Ưu đãi", "Preference"),
    "decl.total": ("Tổng cộng", "Total"),
    "decl.duties": ("Tiền thuế", "Duties"),
    "decl.settled": ("Đã nộp/bảo lãnh", "Paid or guaranteed"),
    "decl.channel_reasons": ("Lý do phân luồng", "Why this channel"),
    "decl.deadline": ("Thời hạn kiểm tra", "Check time limit"),
    "decl.assigned": ("Công chức được phân công", "Assigned officer"),
    "decl.registered": ("Đăng ký lúc", "Registered"),
    "decl.cleared": ("Thông quan lúc", "Cleared"),
    "decl.lodged": ("Khai lúc", "Lodged"),
    "decl.expires": ("Hết hạn lưu lúc", "Kept until"),
    "decl.history": ("Lịch sử xử lý", "History"),
    "decl.back": ("← Hàng đợi", "← Queue"),
    "decision.title": ("Quyết định kiểm tra", "Decision"),
    "decision.kind": ("Quyết định", "Decision"),
    "decision.reason": ("Lý do", "Reason"),
    "decision.fraud_found": ("Kết quả kiểm tra thực tế", "Inspection result"),
    "decision.fraud_unset": ("— chưa có kết quả —", "— no result —"),
    "decision.fraud_yes": ("Phát hiện vi phạm", "Fraud found"),
    "decision.fraud_no": ("Không phát hiện vi phạm", "No fraud found"),
    "decision.findings": ("Kết quả / ghi chú", "Findings"),
    "decision.full_inspection": (
        "Kiểm tra toàn bộ (thời hạn 2 ngày làm việc)",
        "Full inspection (2 working days)",
    ),
    "decision.submit": ("Ghi quyết định", "Record decision"),
    "decision.saved": ("Đã ghi quyết định", "Decision recorded"),
    "decision.not_yours": (
        "Tờ khai được phân cho công chức khác; lãnh đạo đội/chi cục có thể xử lý",
        "This check is assigned to another officer; a leader can take it",
    ),
    "decision.none": ("Không còn quyết định nào cho tờ khai này", "No decision is open on this declaration"),
    "form.errors": ("Vui lòng sửa các lỗi bên dưới", "Please correct the errors below"),
    "err.required": ("Bắt buộc nhập", "Required"),
    "err.too_short": ("Cần ít nhất {n} ký tự", "At least {n} characters"),
    "err.too_long": ("Tối đa {n} ký tự", "At most {n} characters"),
    "err.choice": ("Lựa chọn không hợp lệ", "Not one of the choices"),
    "err.fraud_required": (
        "Cần ghi kết quả: có hay không phát hiện vi phạm",
        "Say whether fraud was found",
    ),
    "err.invalid_transition": (
        "Không thể ra quyết định này ở trạng thái và luồng hiện tại",
        "This decision is not possible in the current status and channel",
    ),
    "err.inspection_result_missing": (
        "Tờ khai luồng đỏ chỉ được thông quan sau khi ghi kết quả kiểm tra thực tế hàng hoá",
        "A red declaration is cleared only after the physical inspection result is recorded",
    ),
    "err.documents_decision_missing": (
        "Tờ khai luồng vàng chỉ được thông quan sau khi có quyết định kiểm tra hồ sơ",
        "A yellow declaration is cleared only after a documents decision",
    ),
    "err.not_assigned": (
        "Tờ khai được phân cho công chức khác; lãnh đạo có thể xử lý",
        "This check is assigned to another officer; a leader can take it",
    ),
    "err.invalid": ("Giá trị không hợp lệ", "Invalid value"),
    "error.title": ("Lỗi", "Error"),
    "error.403": ("Bạn không có quyền truy cập trang này", "You may not open this page"),
    "error.404": ("Không tìm thấy trong phạm vi của bạn", "Not found in your scope"),
    "error.csrf": (
        "Biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang",
        "The form expired or is not valid: reload the page",
    ),
    "error.back": ("Về trang chính", "Back to the start"),
    "error.401": ("Vui lòng đăng nhập", "Please log in"),
    "error.405": ("Không thực hiện được thao tác này ở đây", "This cannot be done here"),
    "error.409": ("Dữ liệu đã thay đổi; vui lòng tải lại trang", "The record changed: reload the page"),
    "error.422": (
        "Giá trị nhập không hợp lệ; vui lòng kiểm tra lại",
        "A value you entered is not valid: check it",
    ),
    "error.429": ("Quá nhiều yêu cầu; vui lòng thử lại sau ít phút", "Too many requests: try again soon"),
    "error.500": ("Đã có lỗi xảy ra; vui lòng thử lại", "Something went wrong: try again"),
    "error.503": ("Hệ thống đang bận; vui lòng thử lại", "The system is busy: try again"),
    "error.generic": ("Yêu cầu không thực hiện được", "The request could not be done"),
    "skip.content": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "nav.menu": ("Danh mục", "Menu"),
    "nav.breadcrumb": ("Vị trí", "You are here"),
    "chart.summary": ("Tóm tắt biểu đồ", "Chart summary"),
    "sharing.refresh": ("Làm mới số liệu", "Refresh the figures"),
    "actor.enterprise": ("Doanh nghiệp {id}", "Enterprise {id}"),
    "actor.officer": ("Công chức {id}", "Officer {id}"),
    "actor.bank": ("Ngân hàng {id}", "Bank {id}"),
    "actor.terminal": ("Doanh nghiệp kho bãi {id}", "Terminal operator {id}"),
    "actor.system": ("Hệ thống", "The system"),
    "table.scroll": ("Bảng {name}, cuộn ngang để xem thêm", "Table {name}, scroll sideways for more"),
}

# The domain's English messages (API problem details) a person may meet on a page, in Vietnamese.
PROBLEMS: dict[str, tuple[str, str]] = {
    "to is before from": ("Ngày kết thúc ở trước ngày bắt đầu", "The end date is before the start date"),
    "date_to is before date_from": (
        "Ngày kết thúc ở trước ngày bắt đầu",
        "The end date is before the start date",
    ),
    "valid_to is before valid_from": (
        "Ngày hết hiệu lực ở trước ngày có hiệu lực",
        "The end of validity is before its start",
    ),
}

# group → value → (Vietnamese, English)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "accepted": ("Đã tiếp nhận", "Accepted"),
        "registered": ("Đã đăng ký", "Registered"),
        "rejected": ("Từ chối", "Rejected"),
        "documents_requested": ("Yêu cầu bổ sung hồ sơ", "Documents requested"),
        "inspection_intended": ("Chờ kiểm tra thực tế", "Inspection intended"),
        "duty_payment_reference_issued": ("Chờ nộp thuế", "Awaiting duty payment"),
        "cleared": ("Đã thông quan", "Cleared"),
        "released": ("Giải phóng hàng", "Released"),
        "cancelled": ("Đã hủy", "Cancelled"),
        "goods_exited": ("Hàng đã qua khu vực giám sát", "Goods exited"),
        "held_by_other_agency": ("Chờ cơ quan khác", "Held by another agency"),
        "expired": ("Hết hạn", "Expired"),
    },
    "channel": {
        "green": ("Luồng xanh", "Green"),
        "blue": ("Luồng xanh dương", "Blue"),
        "yellow": ("Luồng vàng", "Yellow"),
        "red": ("Luồng đỏ", "Red"),
    },
    "decision": {
        "documents_accepted": ("Chấp nhận hồ sơ", "Documents accepted"),
        "inspection_result": ("Kết quả kiểm tra thực tế", "Inspection result"),
        "request_documents": ("Yêu cầu bổ sung hồ sơ", "Request documents"),
        "reject": ("Từ chối tờ khai", "Reject"),
        "clear": ("Thông quan", "Clear"),
        "hold_for_agency": ("Chờ cơ quan khác", "Hold for another agency"),
    },
    "kind": {"import": ("Nhập khẩu", "Import"), "export": ("Xuất khẩu", "Export")},
    "category": {"commercial": ("Thương mại", "Commercial"), "low_value": ("Trị giá thấp", "Low value")},
    "transport": {
        "sea": ("Đường biển", "Sea"),
        "air": ("Đường hàng không", "Air"),
        "road": ("Đường bộ", "Road"),
        "rail": ("Đường sắt", "Rail"),
        "post": ("Bưu chính", "Post"),
        "inland_waterway": ("Đường thủy nội địa", "Inland waterway"),
        "pipeline": ("Đường ống", "Pipeline"),
        "multimodal": ("Đa phương thức", "Multimodal"),
    },
    "action": {
        "lodge": ("Khai báo (IDA/EDA)", "Lodged"),
        "amend": ("Sửa trước đăng ký (IDB/EDB)", "Amended before registration"),
        "register": ("Đăng ký (IDC/EDC)", "Registered"),
        "amend_registered": ("Khai bổ sung (AMA)", "Amended after registration (AMA)"),
        "cancel": ("Hủy tờ khai", "Cancelled"),
        "checked": ("Kiểm tra đạt", "Checks passed"),
        "documents_submitted": ("Nộp bổ sung hồ sơ", "Documents supplied"),
        "clear": ("Thông quan", "Cleared"),
        "await_payment": ("Chờ nộp thuế", "Awaiting duty payment"),
        "inspect": ("Chuyển kiểm tra thực tế", "Sent to inspection"),
        "duties_payment": ("Ngân hàng xác nhận nộp thuế", "Duties paid (bank)"),
        "duties_guarantee": ("Bảo lãnh tiền thuế", "Duties guaranteed"),
        "exit": ("Hàng qua khu vực giám sát", "Goods exited"),
        "expire": ("Hết hạn lưu", "Expired"),
        "documents_requested": ("Yêu cầu bổ sung hồ sơ", "Documents requested"),
        "documents_accepted": ("Chấp nhận hồ sơ", "Documents accepted"),
        "inspection_recorded": ("Ghi kết quả kiểm tra thực tế", "Inspection result recorded"),
        "rejected": ("Từ chối tờ khai", "Rejected"),
        "clearance_decided": ("Quyết định thông quan", "Clearance decided"),
        "held_for_agency": ("Chờ cơ quan khác", "Held for another agency"),
    },
    "enforcement_count": {
        "smuggling_detected": ("Vụ buôn lậu phát hiện, bắt giữ", "Smuggling cases detected"),
        "prosecuted": ("Vụ khởi tố", "Cases prosecuted"),
        "transferred": ("Vụ chuyển cơ quan khác", "Cases transferred"),
        "drug_cases": ("Vụ ma túy", "Drug cases"),
        "drug_cases_coordinated": ("Vụ ma túy phối hợp", "Drug cases (joint)"),
        "persons_detained": ("Đối tượng bị bắt giữ", "Persons detained"),
    },
    "role": {
        "officer": ("Công chức", "Officer"),
        "team_lead": ("Đội trưởng", "Team lead"),
        "subdepartment_leader": ("Lãnh đạo Chi cục", "Sub-department leader"),
        "department_leader": ("Lãnh đạo Cục", "Department leader"),
        "analyst": ("Phân tích rủi ro", "Risk analyst"),
        "administrator": ("Quản trị", "Administrator"),
        "agency_officer": ("Cán bộ cơ quan quản lý chuyên ngành", "Line ministry officer"),
        "targeting_officer": ("Công chức soi chiếu, phân tích trọng điểm", "Targeting officer"),
    },
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = DEFAULT_LANG, **values: Any) -> str:
    """The message in the language; an unknown key comes back as itself (visible, never a crash)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = _pick(pair, lang)
    return text.format(**values) if values else text


def label(group: str, value: str | None, lang: str = DEFAULT_LANG) -> str:
    """The name of a coded value (status, channel, decision, ...); the code itself when unknown."""
    if value is None or value == "":
        return "—"
    pair = LABELS.get(group, {}).get(str(value))
    if pair is None:
        pair = LABELS["decision"].get(str(value)) if group == "action" else None
    return _pick(pair, lang) if pair else str(value)


def problem_text(message: str, lang: str = DEFAULT_LANG) -> str:
    """A problem's English detail as a person reads it: translated when known; in Vietnamese an
    unknown detail becomes a general sentence (no English and no codes on a Vietnamese page)."""
    pair = PROBLEMS.get(message)
    if pair is not None:
        return _pick(pair, lang)
    return message if lang == "en" and message else t("error.generic", lang)


def actor_label(actor: str | None, names: dict[str, str] | None = None, lang: str = DEFAULT_LANG) -> str:
    """Who did it, as a person reads it: "enterprise:0302098785" → the company's name when the page knows
    it, else "Doanh nghiệp 0302098785"; "officer:nb_1" → "Công chức nb_1"; anything else → "Hệ thống"."""
    kind, _, ident = (actor or "").partition(":")
    if ident and names and names.get(ident):
        return names[ident]
    if ident and f"actor.{kind}" in MESSAGES:
        return t(f"actor.{kind}", lang, id=ident)
    return ident or t("actor.system", lang)


def add_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Another module's keys; a key defined twice with other words is a mistake."""
    for key, pair in messages.items():
        if key in MESSAGES and MESSAGES[key] != pair:
            raise ValueError(f"message {key!r} is already defined differently")
        MESSAGES[key] = pair


def add_labels(group: str, labels: dict[str, tuple[str, str]]) -> None:
    LABELS.setdefault(group, {}).update(labels)


def normalize(value: str | None) -> str | None:
    return value if value in LANGS else None


def lang_of(request: Request) -> str:
    """`?lang=` first, then the `hq_lang` cookie, then Vietnamese."""
    return (
        normalize(request.query_params.get("lang")) or normalize(request.cookies.get(COOKIE)) or DEFAULT_LANG
    )


# The work screens of issue 23 (supervision alerts, cases, the analyst's and the administrator's screens).
add_messages(
    {
        "nav.cases": ("Vụ việc", "Cases"),
        "nav.analysis": ("Phân tích", "Analysis"),
        "nav.admin": ("Quản trị", "Administration"),
        "work.errors": ("Có lỗi cần sửa", "There is a problem"),
        "work.next": ("Trang sau", "Next page"),
        "work.first": ("Trang đầu", "First page"),
        "work.filter": ("Lọc", "Filter"),
        "work.save": ("Lưu", "Save"),
        "work.none": ("Không có bản ghi nào.", "Nothing to show."),
        "work.yes": ("Có", "Yes"),
        "work.no": ("Không", "No"),
        "err.status.403": (
            "Vai trò hoặc phạm vi của bạn không cho phép việc này",
            "Your role or scope does not allow this",
        ),
        "err.status.404": ("Không tìm thấy trong phạm vi của bạn", "Not found in your scope"),
        "err.status.409": ("Không thể thực hiện ở trạng thái hiện tại", "Not possible in the current state"),
        "err.status.422": ("Giá trị không hợp lệ", "Invalid value"),
        "err.role_required": ("Vai trò của bạn không được thực hiện việc này", "Your role may not do this"),
    }
)
