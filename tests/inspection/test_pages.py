"""The officers' inspection pages through HTTP on SQLite and PostgreSQL: the locations page's check and
approval forms, a declaration's inspection form showing its scanner image, the image served after its
hash is checked, and refused outside the officer's scope."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from haiquan.inspection import images
from tests.inspection.helpers import BASE, apply, approved, png, scan_body, scanner, sha, store
from tests.support import World
from tests.web.helpers import csrf_of, login, registered


def test_an_officer_checks_and_the_director_approves_through_the_page(
    world: World, client: TestClient
) -> None:
    loc = apply(world)
    login(client, "nb_officer1")
    page = client.get("/inspection/locations")
    assert page.status_code == 200
    assert "Kho chuyển phát nhanh Nội Bài" in page.text
    assert "Đã nộp hồ sơ" in page.text
    r = client.post(f"/inspection/locations/{loc['id']}/check", data={"csrf": csrf_of(page.text), "passed": "yes"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    page = client.get("/inspection/locations")
    assert "Đã kiểm tra" in page.text
    assert "Phê duyệt" not in page.text
    r = client.post(f"/inspection/locations/{loc['id']}/decision",
                    data={"csrf": csrf_of(page.text), "decision": "approve"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 403
    login(client, "hn_leader")
    page = client.get("/inspection/locations")
    assert 'value="approve"' in page.text
    r = client.post(f"/inspection/locations/{loc['id']}/decision",
                    data={"csrf": csrf_of(page.text), "decision": "approve"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert re.search(r"01-KCPN-\d{4}", client.get("/inspection/locations").text)
    login(client, "hp_leader")
    assert "Kho chuyển phát nhanh Nội Bài" not in client.get("/inspection/locations").text


def test_the_inspection_form_shows_the_scanner_image(
    app: Any, world: World, client: TestClient, settings: Any
) -> None:
    loc = approved(world)
    key = {"Authorization": f"Bearer {scanner(world, loc)['device_key']}"}
    data = png()
    ref = store(world, key, data).json()["reference"]
    (number,) = registered(world, app, "yellow")
    image = {"reference": ref, "sha256": sha(data), "size_bytes": len(data), "content_type": "image/png"}
    scan = world.post(f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number)).json()
    login(client, "nb_officer1")
    page = client.get(f"/declarations/{number}")
    assert page.status_code == 200
    assert 'id="scanner-images"' in page.text
    assert f'src="/inspection/scans/{scan["id"]}/image"' in page.text
    assert "Nghi vấn" in page.text
    assert "Khối đặc không khai báo" in page.text
    assert sha(data) in page.text
    img = client.get(f"/inspection/scans/{scan['id']}/image")
    assert (img.status_code, img.headers["content-type"], img.content) == (200, "image/png", data)
    login(client, "hp_officer")
    assert client.get(f"/inspection/scans/{scan['id']}/image").status_code == 404
    # a stored image altered behind customs' back is not shown
    path = images.path_of(settings.data_dir, ref)
    assert path is not None
    path.write_bytes(png(shade=0))
    login(client, "nb_officer1")
    assert client.get(f"/inspection/scans/{scan['id']}/image").status_code == 409
