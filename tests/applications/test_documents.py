"""Documents through HTTP: stored by their SHA-256 once checked; refused with a 422 naming the field, and
nothing stored, when the type is not allowed, the first bytes contradict the declared type (HTML posing as
a PDF), the file is too large or the name carries a path; served as an attachment, nosniff, never an
active type, to the applicant and the officers in scope only."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from haiquan.applications import documents
from haiquan.applications.tables import ApplicationDocumentRow
from tests.applications.helpers import OTHER, PDF, PNG, TRADER, filed, upload
from tests.support import World

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def application(world: World) -> dict[str, Any]:
    return filed(world, {"kind": "ruling_value", "office": "01AB", "subject": "Trị giá", "goods_code": "G",
                         "goods_description": "g", "details": "Phương pháp trị giá giao dịch"})  # fmt: skip


def _stored(app: Any) -> tuple[int, list[Path]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.scalar(select(func.count()).select_from(ApplicationDocumentRow)) or 0
    folder = app.state.settings.data_dir / documents.FOLDER
    return rows, sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_pdf_is_stored_by_its_hash_and_served_as_an_inert_attachment(
    world: World, app: Any, application: dict[str, Any]
) -> None:
    r = upload(world, application["id"], "hoa-don.pdf", "application/pdf", PDF)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["sha256"], doc["size_bytes"]) == (hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert upload(world, application["id"], "anh.png", "image/png", PNG).status_code == 201
    url = f"/api/v1/applications/{application['id']}/documents/{doc['id']}/content"
    for who in (world.ent(TRADER), world.off("nb_officer1")):
        got = world.client.get(url, headers=who)
        assert got.status_code == 200
        assert got.content == PDF
        assert got.headers["content-disposition"] == 'attachment; filename="hoa-don.pdf"'
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-type"] == "application/pdf"
    assert world.client.get(url, headers=world.ent(OTHER)).status_code == 404
    assert world.client.get(url, headers=world.off("hp_officer")).status_code == 404
    detail = world.client.get(f"/api/v1/applications/{application['id']}", headers=world.ent(TRADER)).json()
    assert [d["filename"] for d in detail["documents"]] == ["hoa-don.pdf", "anh.png"]
    assert _stored(app)[0] == 2


def test_xml_is_served_as_plain_text(world: World, app: Any, application: dict[str, Any]) -> None:
    xml = b'<?xml version="1.0"?><invoice><total>1</total></invoice>'
    doc = upload(world, application["id"], "hd.xml", "application/xml", xml).json()
    got = world.client.get(
        f"/api/v1/applications/{application['id']}/documents/{doc['id']}/content", headers=world.ent(TRADER)
    )
    assert got.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("name", "ctype", "data", "field"),
    [
        ("trang.pdf", "application/pdf", HTML, "data"),  # HTML disguised as PDF
        ("anh.png", "image/png", b"\xff\xd8\xff\xe0 a jpeg posing as png", "data"),  # wrong magic bytes
        ("trang.html", "text/html", HTML, "content_type"),
        ("x.svg", "image/svg+xml", b"<svg onload=alert(1)>", "content_type"),
        ("../../etc/passwd.pdf", "application/pdf", PDF, "filename"),
        ("hoa-don.exe", "application/pdf", PDF, "filename"),
        ("poly.pdf", "application/pdf", b"%PDF-1.4\n<html><script>alert(1)</script>", "data"),
        (
            "x.xml",
            "application/xml",
            b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>',
            "data",
        ),
        ("empty.pdf", "application/pdf", b"", "data"),
    ],
)
def test_a_bad_document_is_refused_naming_the_field_and_nothing_is_stored(
    world: World, app: Any, application: dict[str, Any], name: str, ctype: str, data: bytes, field: str
) -> None:
    r = upload(world, application["id"], name, ctype, data)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field
    assert _stored(app) == (0, [])


def test_a_document_too_large_is_refused(
    world: World, app: Any, application: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    r = upload(world, application["id"], "lon.pdf", "application/pdf", PDF + b"0" * 1000)
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (422, "data", "document_too_large")
    assert _stored(app) == (0, [])


def test_only_the_applicant_attaches_and_only_while_open(
    world: World, app: Any, application: dict[str, Any]
) -> None:
    assert upload(world, application["id"], "a.pdf", "application/pdf", PDF, who=OTHER).status_code == 404
    world.post(f"/api/v1/applications/{application['id']}/withdrawal", world.ent(TRADER), None)
    r = upload(world, application["id"], "a.pdf", "application/pdf", PDF)
    assert (r.status_code, r.json()["field"]) == (422, "application_id")
    assert _stored(app) == (0, [])
