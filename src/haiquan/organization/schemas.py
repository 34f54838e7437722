"""Request and response models of the organisation API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class MeOut(BaseModel):
    kind: str
    name: str
    unit: str | None = None
    role: str | None = None
    roles: list[str] = []
    tax_code: str | None = None
    units_in_scope: int | None = Field(None, description="How many units the caller sees; null = all")


class UnitOut(BaseModel):
    code: str
    name_vi: str
    name_en: str
    level: str
    parent: str | None
    children: list[str] = []


class WebhookIn(Strict):
    url: HttpUrl | None = Field(None, description="Where status changes are POSTed; null turns webhooks off")


class WebhookOut(BaseModel):
    url: str | None
    secret: str = Field(description="HMAC-SHA256 key for the X-Haiquan-Signature header")
