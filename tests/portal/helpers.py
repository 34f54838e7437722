"""Helpers for the portal's tests: staff accounts, signing in through the form."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from haiquan.organization import service as org
from haiquan.portal import service

STAFF_PASSWORD = "mat-khau-nhan-vien"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_staff(app: Any, tax_code: str, username: str, role: str = "admin") -> None:
    with app.state.db.unit_of_work() as uow:
        ent = org.enterprise_by_tax_code(uow.session, tax_code)
        service.add_staff(uow.session, enterprise=ent, username=username, role=role, password=STAFF_PASSWORD,
                          full_name=username.title(), actor="test")  # fmt: skip
        uow.commit()


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def sign_in(client: TestClient, username: str, password: str = STAFF_PASSWORD, next: str = "/portal") -> Any:
    client.cookies.clear()
    page = client.get("/portal/login")
    assert page.status_code == 200
    data = {"username": username, "password": password, "csrf": csrf_of(page.text), "next": next}
    return client.post("/portal/login", data=data, follow_redirects=False)
