"""The dashboard's words, Vietnamese first, in the shared catalogue (`haiquan.web.i18n`)."""

from __future__ import annotations

from haiquan.enforcement.domain import ROUTE_LABELS
from haiquan.web.i18n import add_messages, t

MESSAGES: dict[str, tuple[str, str]] = {
    "reports.title": ("Báo cáo nhanh lãnh đạo", "Leadership dashboard"),
    "reports.revenue": ("Thu ngân sách so với dự toán", "Revenue against the estimate"),
    "reports.collected": ("Đã thu", "Collected"),
    "reports.estimate": ("Dự toán", "Estimate"),
    "reports.of_estimate": ("dự toán", "of the estimate"),
    "reports.after_refunds": ("sau khi trừ số phải hoàn", "after refunds due"),
    "reports.refunds_due": ("Số phải hoàn", "Refunds due"),
    "reports.last_year": ("so với cùng kỳ năm trước", "of the same period last year"),
    "reports.this_year": ("Năm nay (lũy kế)", "This year (cumulative)"),
    "reports.last_year_line": ("Cùng kỳ năm trước", "Same period last year"),
    "reports.bn": ("tỷ đồng", "bn VND"),
    "reports.mn": ("triệu đồng", "m VND"),
    "reports.vnd": ("đồng", "VND"),
    "reports.channels": ("Tỷ lệ phân luồng", "Channel mix"),
    "reports.green": ("Xanh", "Green"),
    "reports.yellow": ("Vàng", "Yellow"),
    "reports.blue": ("Xanh dương (kiểm tra sau)", "Blue (audit later)"),
    "reports.red": ("Đỏ", "Red"),
    "reports.units": ("Tờ khai theo đơn vị", "Declarations per unit"),
    "reports.unit": ("Đơn vị", "Unit"),
    "reports.registered": ("Đăng ký", "Registered"),
    "reports.cleared": ("Thông quan", "Cleared"),
    "reports.clearance": ("Thời gian thông quan", "Clearance time"),
    "reports.minutes": ("phút", "minutes"),
    "reports.median": ("Trung vị", "Median"),
    "reports.dwell": ("Hàng trong khu vực giám sát", "Goods in controlled areas"),
    "reports.in_area": ("Đang lưu", "In the area now"),
    "reports.gate_in": ("Vào", "Gated in"),
    "reports.gate_out": ("Ra", "Gated out"),
    "reports.hours": ("giờ", "hours"),
    "reports.seizures": ("Bắt giữ theo tuyến và địa bàn", "Seizures by route and region"),
    "reports.alerts": ("Cảnh báo đang mở", "Open alerts"),
    "reports.empty": ("Chưa có dữ liệu", "No data yet"),
    "reports.export": ("Tải Excel", "Excel"),
    "reports.live": ("Cập nhật trực tiếp", "Live"),
    "reports.period": ("Kỳ báo cáo", "Period"),
    "reports.permits": ("Kiểm tra chuyên ngành", "Other agencies' permits and inspections"),
    "reports.permits_pending": ("Đang chờ (theo số ngày)", "Pending now (by days waiting)"),
    "reports.permits_outcomes": ("Kết quả trong kỳ", "Decided in the period"),
    "reports.agency": ("Cơ quan", "Agency"),
    "reports.total": ("Tổng", "Total"),
    "reports.approved": ("Đạt", "Approved"),
    "reports.conditional": ("Có điều kiện", "Conditional"),
    "reports.refused": ("Không đạt", "Refused"),
    "reports.overdue": ("Quá hạn", "Overdue"),
    "reports.hours_mean": ("Giờ xử lý TB", "Mean hours"),
    "reports.preferences": ("Ưu đãi ATIGA (C/O mẫu D)", "ATIGA preference claims (Form D)"),
    "reports.pref_accepted": ("Chấp nhận", "Accepted"),
    "reports.pref_refused": ("Từ chối", "Refused"),
    "reports.pref_pending": ("Đang chờ C/O", "Waiting for the certificate"),
    "reports.pref_reason": ("Lý do từ chối", "Reason refused"),
    "reports.duty_at_stake": ("Thuế chênh lệch (MFN)", "Duty at stake (MFN)"),
    "reports.pref_summary": (
        "Trong kỳ: {accepted} yêu cầu ưu đãi được chấp nhận, {refused} bị từ chối (áp thuế MFN, chênh lệch "
        "{duty}); {pending} đang chờ C/O.",
        "In the period: {accepted} preference claims accepted, {refused} refused (MFN applied, {duty} of "
        "duty at stake); {pending} waiting for their certificate.",
    ),
    "reports.reason.certificate_mismatch": ("C/O không khớp tờ khai", "Certificate does not match"),
    "reports.reason.certificate_not_received": ("Không nhận được C/O đúng hạn", "Certificate never came"),
    "reports.outlook": ("Dự báo thu cả năm", "Year-end revenue outlook"),
    "reports.stretch": ("Chỉ tiêu phấn đấu (+5 %)", "Stretch target (+5 %)"),
    "reports.forecast": ("Dự báo cả năm", "Year-end forecast"),
    "reports.so_far": ("Lũy kế từ đầu năm", "Year so far"),
    "reports.forecast_note": (
        "Dự báo theo tiến độ thu năm trước",
        "Forecast shaped by last year's collections",
    ),
} | {f"reports.route.{code}": pair for code, pair in ROUTE_LABELS.items()}
# applications handled online (issue #20)
MESSAGES |= {
    "reports.applications": (
        "Hồ sơ trực tuyến giải quyết trong kỳ",
        "Applications decided online in the period",
    ),
    "reports.apl_decided": ("Đã giải quyết", "Decided"),
    "reports.apl_on_time": ("Đúng hạn", "On time"),
    "reports.apl_open": ("Đang xử lý", "Open now"),
    "reports.apl_overdue": ("Quá hạn", "Overdue now"),
    "reports.apl_kind": ("Loại hồ sơ", "Kind"),
}
add_messages(MESSAGES)


def words(lang: str) -> dict[str, str]:
    """Every dashboard word in one language, keyed without the prefix (for the page's script)."""
    return {k.removeprefix("reports."): t(k, lang) for k in MESSAGES}
