"""Build the seed hierarchy (src/haiquan/organization/data/units.csv) from the 2020 VNACCS office-code list.

The source list (shared/data/units) has offices only. This script adds the General Department and the
provincial departments, classifies each office (team "Đội", division "Phòng", else sub-department) and
attaches a team to the sub-department its name mentions, else to its department. The output is data an
operator replaces after the 2025 restructuring: `haiquan unit load FILE`.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DEPARTMENTS = {
    "01": ("Cục Hải quan TP Hà Nội", "Hanoi Customs Department"),
    "02": ("Cục Hải quan TP Hồ Chí Minh", "Ho Chi Minh City Customs Department"),
    "03": ("Cục Hải quan TP Hải Phòng", "Hai Phong Customs Department"),
    "10": ("Cục Hải quan tỉnh Hà Giang", "Ha Giang Customs Department"),
    "11": ("Cục Hải quan tỉnh Cao Bằng", "Cao Bang Customs Department"),
    "12": ("Cục Hải quan tỉnh Điện Biên", "Dien Bien Customs Department"),
    "13": ("Cục Hải quan tỉnh Lào Cai", "Lao Cai Customs Department"),
    "15": ("Cục Hải quan tỉnh Lạng Sơn", "Lang Son Customs Department"),
    "18": ("Cục Hải quan tỉnh Bắc Ninh", "Bac Ninh Customs Department"),
    "20": ("Cục Hải quan tỉnh Quảng Ninh", "Quang Ninh Customs Department"),
    "27": ("Cục Hải quan tỉnh Thanh Hóa", "Thanh Hoa Customs Department"),
    "28": ("Cục Hải quan tỉnh Ninh Bình", "Ninh Binh Customs Department"),
    "29": ("Cục Hải quan tỉnh Nghệ An", "Nghe An Customs Department"),
    "30": ("Cục Hải quan tỉnh Hà Tĩnh", "Ha Tinh Customs Department"),
    "31": ("Cục Hải quan tỉnh Quảng Bình", "Quang Binh Customs Department"),
    "32": ("Cục Hải quan tỉnh Quảng Trị", "Quang Tri Customs Department"),
    "33": ("Cục Hải quan tỉnh Thừa Thiên Huế", "Thua Thien Hue Customs Department"),
    "34": ("Cục Hải quan TP Đà Nẵng", "Da Nang Customs Department"),
    "35": ("Cục Hải quan tỉnh Quảng Ngãi", "Quang Ngai Customs Department"),
    "37": ("Cục Hải quan tỉnh Bình Định", "Binh Dinh Customs Department"),
    "38": ("Cục Hải quan tỉnh Gia Lai - Kon Tum", "Gia Lai - Kon Tum Customs Department"),
    "40": ("Cục Hải quan tỉnh Đắk Lắk", "Dak Lak Customs Department"),
    "41": ("Cục Hải quan tỉnh Khánh Hòa", "Khanh Hoa Customs Department"),
    "43": ("Cục Hải quan tỉnh Bình Dương", "Binh Duong Customs Department"),
    "45": ("Cục Hải quan tỉnh Tây Ninh", "Tay Ninh Customs Department"),
    "47": ("Cục Hải quan tỉnh Đồng Nai", "Dong Nai Customs Department"),
    "48": ("Cục Hải quan tỉnh Long An", "Long An Customs Department"),
    "49": ("Cục Hải quan tỉnh Đồng Tháp", "Dong Thap Customs Department"),
    "50": ("Cục Hải quan tỉnh An Giang", "An Giang Customs Department"),
    "51": ("Cục Hải quan tỉnh Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau Customs Department"),
    "53": ("Cục Hải quan tỉnh Kiên Giang", "Kien Giang Customs Department"),
    "54": ("Cục Hải quan TP Cần Thơ", "Can Tho Customs Department"),
    "59": ("Cục Hải quan tỉnh Cà Mau", "Ca Mau Customs Department"),
    "60": ("Cục Hải quan tỉnh Quảng Nam", "Quang Nam Customs Department"),
    "61": ("Cục Hải quan tỉnh Bình Phước", "Binh Phuoc Customs Department"),
    "88": ("Đơn vị Hải quan mã 88", "Customs unit code 88"),
    "A1": ("Cục Điều tra chống buôn lậu", "Anti-Smuggling Investigation Department"),
    "A2": ("Cục Kiểm tra sau thông quan", "Post-Clearance Audit Department"),
    "A3": ("Các đơn vị nghiệp vụ Tổng cục", "General Department operational units"),
}

# Teams whose parent is named by a shared word in the name (source names are abbreviated).
PARENT_HINTS = {
    "01B1": "01AB", "01B2": "01AB", "01B3": "01AB", "01B5": "01AB", "01B6": "01AB",
    "01E1": "01TE", "01E2": "01TE", "01E3": "01TE", "01M1": "01PM",
    "02B1": "02AB", "02B4": "02AB", "02H1": "02CH", "02H2": "02CH", "02H3": "02CH",
}  # fmt: skip


def level_of(name: str) -> str:
    low = name.lower()
    if low.startswith("đội") or "- đội" in low or "-đội" in low or " đội " in low:
        return "team"
    if low.startswith("phòng"):
        return "division"
    return "subdepartment"


def build(source: Path, out: Path) -> int:
    rows = [("00", "Tổng cục Hải quan", "General Department of Vietnam Customs", "general", "")]
    seen: set[str] = set()
    with source.open(encoding="utf-8") as fh:
        offices = [r for r in csv.DictReader(fh) if r["office_code"] and len(r["office_code"]) == 4]
    prefixes = sorted({r["office_code"][:2] for r in offices})
    for p in prefixes:
        vi, en = DEPARTMENTS.get(p, (f"Cục Hải quan mã {p}", f"Customs Department {p}"))
        rows.append((p, vi, en, "department", "00"))
    for r in offices:
        code = r["office_code"]
        if code in seen:  # the source repeats some codes with other names: keep the first
            continue
        seen.add(code)
        name = r["office_name_vi"].strip()
        level = level_of(name)
        parent = PARENT_HINTS.get(code, code[:2]) if level == "team" else code[:2]
        rows.append((code, name, "", level, parent))
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name_vi", "name_en", "level", "parent"])
        w.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    src = Path(sys.argv[1])
    dst = Path(sys.argv[2])
    print(build(src, dst), "units written to", dst)
