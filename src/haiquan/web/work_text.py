"""The words of the officer's daily work pages (search, queue, decision, printed record), Vietnamese first."""

from __future__ import annotations

from haiquan.web import i18n

i18n.add_messages(
    {
        "search.label": ("Tìm kiếm", "Search"),
        "search.placeholder": (
            "Số tờ khai, MST, tên DN, vận đơn, container, mã HS",
            "Declaration no., tax code, company, bill, container, HS code",
        ),
        "search.submit": ("Tìm", "Search"),
        "search.title": ("Tìm kiếm tờ khai", "Search declarations"),
        "search.from": ("Từ ngày", "From"),
        "search.to": ("Đến ngày", "To"),
        "search.found": ("{count} kết quả cho “{q}”", "{count} results for “{q}”"),
        "search.none": (
            "Không tìm thấy tờ khai nào cho “{q}” trong phạm vi của bạn",
            "No declaration matches “{q}” in your scope",
        ),
        "search.empty": ("Nhập nội dung cần tìm", "Type what to look for"),
        "search.container": ("Lô hàng chở container {number}", "Consignment carrying container {number}"),
        "search.bad_date": ("Ngày không hợp lệ", "Not a date"),
        "search.date_order": ("“Đến ngày” phải sau “Từ ngày”", "“To” must not be before “From”"),
        "col.company": ("Doanh nghiệp", "Company"),
        "col.pick": ("Chọn", "Select"),
        "queue.intro_deadline": (
            "Tờ khai luồng vàng và đỏ đang chờ kiểm tra trong đơn vị của bạn",
            "Yellow and red declarations under check in your units",
        ),
        "queue.total": ("{count} tờ khai", "{count} declarations"),
        "queue.page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
        "queue.prev": ("← Trang trước", "← Previous"),
        "queue.next": ("Trang sau →", "Next →"),
        "queue.sort": ("Sắp xếp", "Sort"),
        "queue.sort_deadline": ("Hạn xử lý gần nhất", "Deadline first"),
        "queue.sort_registered": ("Đăng ký sớm nhất", "Oldest first"),
        "queue.channel_any": ("Mọi luồng", "Any lane"),
        "queue.overdue": ("Chỉ quá hạn", "Overdue only"),
        "queue.officer": ("Công chức", "Officer"),
        "queue.officer_any": ("Mọi công chức", "Any officer"),
        "queue.unassigned": ("Chưa phân công", "Unassigned"),
        "queue.declarant": ("MST người khai", "Declarant tax code"),
        "queue.apply": ("Lọc", "Filter"),
        "queue.escalated": ("Chuyển lên tôi", "Escalated to me"),
        "queue.escalated_note": (
            "{count} tờ khai quá hạn đã chuyển lên anh/chị",
            "{count} overdue checks were escalated to you",
        ),
        "queue.escalated_to": ("Chuyển lên {name}", "Escalated to {name}"),
        "queue.new": ("{count} tờ khai mới", "{count} new declarations"),
        "queue.show_new": ("Hiển thị", "Show them"),
        "queue.take": ("Nhận xử lý", "Take"),
        "queue.reassign": ("Giao cho", "Reassign to"),
        "queue.reassign_submit": ("Giao lại", "Reassign"),
        "queue.selected": ("Với các tờ khai đã chọn", "With the selected declarations"),
        "queue.taken": ("Đã nhận xử lý tờ khai", "Checks taken"),
        "queue.reassigned": ("Đã giao lại tờ khai", "Checks reassigned"),
        "queue.partly": (
            "Một số tờ khai không thực hiện được (đã có người xử lý hoặc ngoài phạm vi)",
            "Some checks could not be changed (already taken or outside your scope)",
        ),
        "queue.nothing": ("Chưa chọn tờ khai nào", "No declaration selected"),
        "queue.lead_only": ("Chỉ đội trưởng trở lên được giao lại", "Only a team lead can reassign"),
        "session.warning": (
            "Phiên làm việc sẽ hết hạn sau {minutes} phút không thao tác.",
            "Your session ends in {minutes} minutes without activity.",
        ),
        "session.stay": ("Tiếp tục làm việc", "Stay signed in"),
        "session.ended": (
            "Phiên làm việc đã hết hạn. Bản nháp được giữ trên máy này.",
            "Your session has ended. Your draft is kept on this computer.",
        ),
        "decision.errors_title": ("Có lỗi cần sửa", "There is a problem"),
        "decision.draft_restored": ("Đã khôi phục bản nháp chưa gửi", "Your unsent draft was restored"),
        "decision.print": ("In biên bản", "Print record"),
        "record.title": ("Biên bản kiểm tra và quyết định", "Inspection and decision record"),
        "record.heading": (
            "BIÊN BẢN KIỂM TRA HỒ SƠ / THỰC TẾ HÀNG HÓA",
            "RECORD OF DOCUMENT / PHYSICAL INSPECTION",
        ),
        "record.authority": ("TỔNG CỤC HẢI QUAN", "GENERAL DEPARTMENT OF CUSTOMS"),
        "record.motto": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
        "record.motto2": ("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
        "record.decisions": ("Các quyết định", "Decisions"),
        "record.no_decision": ("Chưa có quyết định", "No decision yet"),
        "record.officer": ("Công chức", "Officer"),
        "record.signature": ("Ký, ghi rõ họ tên", "Signature and full name"),
        "record.declarant_rep": ("Đại diện người khai hải quan", "For the declarant"),
        "record.printed": ("In lúc {at}", "Printed {at}"),
        "record.print": ("In", "Print"),
    }
)

# A declaration captured from paper (declarations.paper), marked on its page (_paper.html).
i18n.add_messages(
    {
        "paper.badge": ("Tờ khai giấy", "Paper declaration"),
        "paper.back_captured": ("Nhập bổ sung sau sự cố", "Back-captured after an outage"),
        "paper.number": ("Số tờ khai giấy", "Paper number"),
        "paper.reason": ("Lý do", "Reason"),
        "paper.lodged": ("Nộp bản giấy lúc", "Paper lodged at"),
        "paper.captured": ("Cán bộ nhập", "Captured by"),
    }
)
i18n.add_labels(
    "paper_reason",
    {
        "system_outage": ("Hệ thống hải quan gặp sự cố", "Customs system outage"),
        "declarant_outage": ("Hệ thống của người khai gặp sự cố", "Declarant's system outage"),
        "paper_allowed": ("Trường hợp được khai giấy", "A case allowed on paper"),
        "other": ("Khác", "Other"),
    },
)
