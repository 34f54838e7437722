"""The portal's tax account and applications (from the taxes and applications modules) through HTTP, on
SQLite and PostgreSQL: a staff member reads the enterprise's account and downloads its certificate, files
a refund application with a document, follows it to the officer's decision and its reasons; another
enterprise's staff sees none of it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.applications.helpers import PDF, decide, paid_declaration
from tests.portal.helpers import add_staff, csrf_of, sign_in
from tests.support import World
from tests.web.helpers import registered

OWN, OTHER = "0100109106", "0200519875"


def test_the_tax_account_and_its_certificate(world: World, client: TestClient, app: Any) -> None:
    registered(world, app, "green")
    add_staff(app, OWN, "lan.ketoan", role="accountant")
    sign_in(client, "lan.ketoan")
    page = client.get("/portal/tax")
    assert page.status_code == 200, page.text
    assert "Tài khoản thuế" in page.text
    assert "Phân loại nợ theo số ngày quá hạn" in page.text
    cert = client.get("/portal/tax/certificate.xml")
    assert cert.status_code == 200
    assert cert.headers["content-disposition"].startswith('attachment; filename="tax-position-0100109106-')
    assert len(cert.headers["x-content-sha256"]) == 64
    assert b"0100109106" in cert.content
    assert client.get("/portal/tax/receipts/BL9999999999.xml").status_code == 404


def test_a_refund_filed_on_the_portal_with_a_document_is_decided_with_reasons(
    world: World, client: TestClient, app: Any
) -> None:
    number = paid_declaration(world, app)
    add_staff(app, OWN, "lan.admin")
    add_staff(app, "0101248141", "other.admin")  # another declarant (the importer the declaration names)
    add_staff(app, OTHER, "port.admin")  # a terminal operator files no application
    sign_in(client, "lan.admin")
    csrf = csrf_of(client.get("/portal/applications/new").text)
    form = {"csrf": csrf, "kind": "refund", "subject": "Hoàn thuế hàng tái xuất", "declaration_number": number,
            "amount": "5000000", "reason_code": "re_export"}  # fmt: skip
    missing = client.post("/portal/applications", data={**form, "amount": ""})
    assert missing.status_code == 422
    filed = client.post("/portal/applications", data=form, files={"document": ("hoa-don.pdf", PDF, "application/pdf")},
                        follow_redirects=False)  # fmt: skip
    assert filed.status_code == 303, filed.text
    url = filed.headers["location"]
    app_id = url.rsplit("/", 1)[-1]
    page = client.get(url)
    assert "Hoàn thuế hàng tái xuất" in page.text
    assert "hoa-don.pdf" in page.text
    assert "Hoàn thuế hàng tái xuất" in client.get("/portal/applications").text
    doc_url = page.text.split('href="')[
        next(i for i, p in enumerate(page.text.split('href="')) if "/documents/" in p)
    ].split('"')[0]
    doc = client.get(doc_url)
    assert doc.status_code == 200
    assert doc.content == PDF
    assert doc.headers["content-disposition"].startswith("attachment")
    active = client.post(url + "/documents", data={"csrf": csrf},
                         files={"document": ("x.pdf", b"<html><script>alert(1)</script>", "application/pdf")})  # fmt: skip
    assert active.status_code in (403, 422)  # refused by the applications module's checks, never stored

    other = TestClient(app)
    sign_in(other, "other.admin")
    assert other.get(url).status_code == 404
    assert other.get(doc_url).status_code == 404
    assert "Hoàn thuế hàng tái xuất" not in other.get("/portal/applications").text
    port = TestClient(app)
    sign_in(port, "port.admin")
    assert port.get(url).status_code == 403
    assert "Hồ sơ đề nghị dành cho doanh nghiệp khai hải quan" in port.get("/portal/applications").text

    assert (
        world.post(f"/api/v1/applications/{app_id}/review", world.off("nb_officer1"), None).status_code == 200
    )
    r = decide(
        world, app_id, {"outcome": "partly_approved", "amount": "4000000", "reasons": "Tái xuất 80% số hàng"}
    )
    assert r.status_code == 200, r.text
    decided = client.get(url).text
    assert "Quyết định và lý do" in decided
    assert "Tái xuất 80% số hàng" in decided
