"""The portal's words, Vietnamese first with English (web.i18n)."""

from __future__ import annotations

from haiquan.web import i18n

i18n.add_messages(
    {
        "pt.title": ("Cổng doanh nghiệp", "Trader portal"),
        "pt.login": ("Đăng nhập cổng doanh nghiệp", "Sign in to the trader portal"),
        "pt.login_note": ("Dành cho nhân viên doanh nghiệp", "For an enterprise's staff"),
        "pt.login_failed": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
        "pt.login_throttled": ("Quá nhiều lần thử, vui lòng đợi rồi thử lại", "Too many tries: wait, then try again"),
        "pt.login_expired": ("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại", "Your session has ended: sign in again"),
        "pt.home": ("Tổng quan", "Overview"),
        "pt.declarations": ("Tờ khai", "Declarations"),
        "pt.payments": ("Khoản phải nộp", "Payments due"),
        "pt.notifications": ("Thông báo", "Notifications"),
        "pt.keys": ("Khóa API", "API keys"),
        "pt.webhook": ("Webhook", "Webhook"),
        "pt.staff": ("Nhân viên", "Staff"),
        "pt.open_declarations": ("Tờ khai đang xử lý", "Declarations in progress"),
        "pt.due_total": ("Tổng số tiền phải nộp", "Total due"),
        "pt.reference": ("Số tham chiếu nộp tiền", "Payment reference"),
        "pt.amount_due": ("Số phải nộp", "Amount due"),
        "pt.amount_paid": ("Đã nộp", "Paid"),
        "pt.pay_how": (
            "Nộp tại ngân hàng phối hợp thu (24/7), ghi đúng số tham chiếu; tờ khai được thông quan khi ngân hàng xác nhận.",
            "Pay at a collecting bank (24/7) quoting the reference; the declaration clears once the bank confirms.",
        ),
        "pt.none_due": ("Không có khoản phải nộp", "Nothing due"),
        "pt.number": ("Số tờ khai", "Declaration number"),
        "pt.search": ("Tìm", "Search"),
        "pt.any": ("Tất cả", "Any"),
        "pt.none": ("Không có dữ liệu", "Nothing to show"),
        "pt.history": ("Lịch sử xử lý", "History"),
        "pt.lines": ("Dòng hàng", "Goods lines"),
        "pt.at": ("Thời điểm", "When"),
        "pt.enterprise": ("Doanh nghiệp", "Enterprise"),
        "pt.key_issued": ("Đã cấp khóa API", "The API key is issued"),
        "pt.key_revoked": ("Đã thu hồi khóa API", "The API key is revoked"),
        "pt.webhook_saved": ("Đã lưu địa chỉ webhook", "The webhook address is saved"),
        "pt.webhook_secret": (
            "Khóa ký webhook mới — sao chép ngay, chỉ hiển thị một lần:",
            "The new webhook signing secret — copy it now, it is shown this once only:",
        ),
        "pt.webhook_rotate": ("Đổi khóa ký", "Rotate the signing secret"),
        "pt.webhook_none": ("Chưa đặt webhook", "No webhook set"),
        "pt.webhook_previous": ("Khóa cũ còn ký đến", "The previous secret also signs until"),
        "pt.save": ("Lưu", "Save"),
        "pt.staff_add": ("Thêm nhân viên", "Add a staff member"),
        "pt.staff_added": ("Đã thêm nhân viên", "The staff member is added"),
        "pt.staff_changed": ("Đã cập nhật nhân viên", "The staff account is updated"),
        "pt.deactivate": ("Khóa tài khoản", "Deactivate"),
        "pt.reactivate": ("Mở lại", "Reactivate"),
        "pt.active": ("Đang hoạt động", "Active"),
        "pt.inactive": ("Đã khóa", "Deactivated"),
        "pt.goods": ("Mô tả hàng hóa", "Goods"),
        "pt.value": ("Trị giá tính thuế", "Customs value"),
        "field.url": ("Địa chỉ webhook (HTTPS)", "Webhook address (HTTPS)"),
        "field.password": ("Mật khẩu", "Password"),
        "err.bad_username.username": (
            "Tên đăng nhập gồm 3–60 chữ cái, chữ số, '.', '_' hoặc '-'",
            "A username has 3–60 letters, digits, '.', '_' or '-'",
        ),
    }
)  # fmt: skip
i18n.add_labels(
    "staff_role",
    {"admin": ("Quản trị doanh nghiệp", "Enterprise admin"), "declarant": ("Nhân viên khai báo", "Declarant staff"),
     "accountant": ("Kế toán", "Accountant"), "viewer": ("Chỉ xem", "Viewer")},
)  # fmt: skip
