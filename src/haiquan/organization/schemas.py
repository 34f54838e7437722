"""Request and response models of the organisation API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from haiquan.reference.validators import Instant


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
    url: HttpUrl | None = Field(
        None,
        description="Where status changes are POSTed (https, to a public address); null turns webhooks off",
    )


class WebhookOut(BaseModel):
    url: str | None
    secret: str | None = Field(
        None,
        description="HMAC-SHA256 key for the X-Haiquan-Signature header: given once, when the first URL is "
        "set; null on every later update (rotate it with POST /api/v1/enterprise/webhook/secret)",
    )


class WebhookSecretOut(BaseModel):
    secret: str | None = Field(
        description="The new signing secret, shown once (null when an Idempotency-Key replay answers)"
    )
    previous_valid_until: datetime | None = Field(
        description="Until then deliveries also carry X-Haiquan-Signature-Previous, made with the old secret"
    )


class RepresentationIn(Strict):
    representative_tax_code: str = Field(
        max_length=20,
        description="Tax code of the declarant (e.g. a customs agent) allowed to name the caller as party",
    )
    kind: Literal["direct", "indirect"] = Field(
        description="direct: in the caller's name and on its behalf; indirect: in the agent's own name"
    )
    valid_from: Instant | None = Field(None, description="When it starts, with its UTC offset; default now")
    valid_until: Instant | None = Field(None, description="When it ends (exclusive); null: until revoked")


class RepresentationOut(BaseModel):
    id: str
    principal_tax_code: str = Field(description="The importer or exporter who granted it")
    principal_name: str
    representative_tax_code: str = Field(description="The declarant who may lodge naming the principal")
    representative_name: str
    kind: str
    valid_from: datetime
    valid_until: datetime | None
    granted_at: datetime
    revoked_at: datetime | None
    in_force: bool = Field(description="Whether it covers the present moment")


class OfficerPatchIn(Strict):
    """What an administrator changes on an officer's account; fields left out stay as they are."""

    active: bool | None = Field(None, description="false: deactivated (their tokens stop working at once)")
    role: str | None = Field(None, min_length=1, max_length=40, description="officer, team_lead, ...")
    unit: str | None = Field(None, min_length=1, max_length=16, description="Home unit code, e.g. 01AB")
    on_roster: bool | None = Field(None, description="false: on leave (gets no checks; open ones handed on)")


class OfficerIn(Strict):
    """A new officer's account, created by an administrator for a unit of their scope."""

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,59}$", description="Login name: lower case, 3-60")
    full_name: str = Field(min_length=2, max_length=200)
    unit: str = Field(min_length=2, max_length=16, description="Home unit code, e.g. 01AB")
    role: str = Field(min_length=1, max_length=40, description="officer, team_lead, ...")


class OfficerOut(BaseModel):
    username: str
    full_name: str
    unit: str
    role: str
    active: bool
    on_roster: bool
    changes: list[str] = Field([], description="The events this request recorded (none: nothing changed)")
    checks_reassigned: int = Field(0, description="Open checks handed on to other officers of the roster")


class OfficerIssuedOut(OfficerOut):
    initial_password: str = Field(
        description="The first password, shown this once; the officer changes it or an administrator resets it"
    )


class EnterpriseStatusIn(Strict):
    """An administrator suspends, reinstates or dissolves an enterprise (a dissolved one stays dissolved)."""

    status: Literal["active", "suspended", "dissolved"] = Field(
        description="suspended or dissolved: it lodges and registers nothing; active: reinstated"
    )
    reason: str = Field(min_length=1, max_length=500, description="Why; named in the refusals it gets")


class EnterpriseStatusOut(BaseModel):
    tax_code: str
    name: str
    status: str
    reason: str
    event: str | None = Field(None, description="The event recorded; null when the status was already so")


Scope = Literal["read", "write", "manage"]


class ApiKeyIn(Strict):
    """Another API key for the enterprise; its other keys keep working until revoked or expired."""

    label: str = Field("", max_length=100, description="What it is for, e.g. 'lodging system 2027'")
    scopes: list[Scope] | None = Field(
        None,
        max_length=3,
        description="read (GET), write (every other call), manage (the enterprise's keys and webhook); "
        "default: the issuing key's scopes (an administrator's default: all three)",
    )
    expires_at: Instant | None = Field(None, description="When it stops working; null: until revoked")


class ApiKeyOut(BaseModel):
    key_id: str = Field(description="The key's public part (hq_<key_id>_...); names it in revocations")
    label: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool = Field(description="Neither revoked nor expired")


class ApiKeyIssuedOut(ApiKeyOut):
    key: str | None = Field(
        description="The API key, shown once (null when an Idempotency-Key replay answers)"
    )


class SessionOut(BaseModel):
    id: str
    created_at: datetime
    last_seen_at: datetime = Field(description="Recorded at most once a minute")
    expires_at: datetime = Field(description="The absolute timeout")


class SessionsRevokedOut(BaseModel):
    revoked: int = Field(description="How many sessions ended now")
