"""The words of the /sharing page: the event types counted in the per-unit summary, as a person reads
them (the shared catalogue's `event` labels; a type not named here shows as its code)."""

from __future__ import annotations

from haiquan.web.i18n import add_labels

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "cargo.manifest_received": ("Nhận bản khai hàng hóa", "Manifest received"),
    "cargo.manifest_amended": ("Sửa bản khai hàng hóa", "Manifest amended"),
    "check.escalated": ("Chuyển cấp kiểm tra", "Check escalated"),
    "check.reassigned": ("Phân công lại kiểm tra", "Check reassigned"),
    "declaration.lodged": ("Tờ khai được khai báo", "Declarations lodged"),
    "declaration.registered": ("Tờ khai đăng ký", "Declarations registered"),
    "declaration.amended": ("Tờ khai sửa trước đăng ký", "Declarations amended"),
    "declaration.amended_after_registration": ("Khai bổ sung", "Amended after registration"),
    "declaration.cancelled": ("Tờ khai hủy", "Declarations cancelled"),
    "declaration.rejected": ("Tờ khai bị từ chối", "Declarations rejected"),
    "declaration.cleared": ("Tờ khai thông quan", "Declarations cleared"),
    "declaration.clearance_decided": ("Quyết định thông quan", "Clearance decided"),
    "declaration.documents_requested": ("Yêu cầu bổ sung hồ sơ", "Documents requested"),
    "declaration.documents_submitted": ("Nộp bổ sung hồ sơ", "Documents supplied"),
    "declaration.documents_accepted": ("Chấp nhận hồ sơ", "Documents accepted"),
    "declaration.inspection_ordered": ("Chuyển kiểm tra thực tế", "Inspections ordered"),
    "declaration.inspection_recorded": ("Ghi kết quả kiểm tra thực tế", "Inspection results"),
    "declaration.held_for_payment": ("Chờ nộp thuế", "Held for payment"),
    "declaration.held_for_agency": ("Chờ cơ quan khác", "Held for another agency"),
    "declaration.duties_paid": ("Đã nộp thuế", "Duties paid"),
    "declaration.duties_guaranteed": ("Bảo lãnh tiền thuế", "Duties guaranteed"),
    "declaration.goods_exited": ("Hàng qua khu vực giám sát", "Goods exited"),
    "payment.received": ("Nhận tiền thuế", "Payments received"),
    "payment.confirmed": ("Ngân hàng xác nhận nộp thuế", "Payments confirmed"),
    "payment.reference_issued": ("Cấp mã tham chiếu nộp thuế", "Payment references issued"),
    "payment.guarantee_issued": ("Bảo lãnh được cấp", "Guarantees issued"),
    "payment.reversed": ("Hủy giao dịch nộp thuế", "Payments reversed"),
    "enforcement.case_opened": ("Vụ việc được lập", "Cases opened"),
    "enforcement.seizure_recorded": ("Ghi nhận thu giữ", "Seizures recorded"),
    "supervision.alerts_raised": ("Cảnh báo giám sát", "Supervision alerts"),
    "supervision.alert_acknowledged": ("Cảnh báo đã tiếp nhận", "Alerts acknowledged"),
    "supervision.alert_closed": ("Cảnh báo đã đóng", "Alerts closed"),
    "supervision.movements_applied": ("Hàng vào/ra khu vực giám sát", "Gate movements"),
    "supervision.transit_permitted": ("Cho phép vận chuyển độc lập", "Transits permitted"),
}
add_labels("event", EVENT_LABELS)
