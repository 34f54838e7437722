"""The dashboard's words, Vietnamese first."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "title": {"vi": "Báo cáo nhanh lãnh đạo", "en": "Leadership dashboard"},
    "revenue": {"vi": "Thu ngân sách so với dự toán", "en": "Revenue against the estimate"},
    "collected": {"vi": "Đã thu", "en": "Collected"},
    "estimate": {"vi": "Dự toán", "en": "Estimate"},
    "of_estimate": {"vi": "dự toán", "en": "of the estimate"},
    "after_refunds": {"vi": "sau khi trừ số phải hoàn", "en": "after refunds due"},
    "refunds_due": {"vi": "Số phải hoàn", "en": "Refunds due"},
    "last_year": {"vi": "so với cùng kỳ năm trước", "en": "of the same period last year"},
    "this_year": {"vi": "Năm nay (lũy kế)", "en": "This year (cumulative)"},
    "last_year_line": {"vi": "Cùng kỳ năm trước", "en": "Same period last year"},
    "bn": {"vi": "tỷ đồng", "en": "bn VND"},
    "channels": {"vi": "Tỷ lệ phân luồng", "en": "Channel mix"},
    "green": {"vi": "Xanh", "en": "Green"},
    "yellow": {"vi": "Vàng", "en": "Yellow"},
    "red": {"vi": "Đỏ", "en": "Red"},
    "units": {"vi": "Tờ khai theo đơn vị", "en": "Declarations per unit"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "registered": {"vi": "Đăng ký", "en": "Registered"},
    "cleared": {"vi": "Thông quan", "en": "Cleared"},
    "clearance": {"vi": "Thời gian thông quan", "en": "Clearance time"},
    "minutes": {"vi": "phút", "en": "minutes"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "dwell": {"vi": "Hàng trong khu vực giám sát", "en": "Goods in controlled areas"},
    "in_area": {"vi": "Đang lưu", "en": "In the area now"},
    "hours": {"vi": "giờ", "en": "hours"},
    "seizures": {"vi": "Bắt giữ theo tuyến và địa bàn", "en": "Seizures by route and region"},
    "alerts": {"vi": "Cảnh báo đang mở", "en": "Open alerts"},
    "empty": {"vi": "Chưa có dữ liệu", "en": "No data yet"},
    "export": {"vi": "Tải Excel", "en": "Excel"},
    "live": {"vi": "Cập nhật trực tiếp", "en": "Live"},
    "period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "login": {"vi": "Đăng nhập", "en": "Log in"},
    "username": {"vi": "Tên đăng nhập", "en": "Username"},
    "password": {"vi": "Mật khẩu", "en": "Password"},
    "logout": {"vi": "Đăng xuất", "en": "Log out"},
    "bad_login": {"vi": "Sai tên đăng nhập hoặc mật khẩu", "en": "Wrong username or password"},
    "switch": {"vi": "English", "en": "Tiếng Việt"},
}


def words(lang: str) -> dict[str, str]:
    lang = lang if lang in ("vi", "en") else "vi"
    return {k: v[lang] for k, v in WORDS.items()}
