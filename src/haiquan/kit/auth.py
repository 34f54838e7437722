"""Authentication mechanisms and the caller's scope. Passwords: argon2. Officer tokens: signed JWT (PyJWT).
API keys: random, shown once, stored as SHA-256 (they carry 256 bits of entropy, so a slow hash adds
nothing but latency on every call)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from haiquan.kit import clock, passwords
from haiquan.kit.errors import Forbidden, Unauthorized

_hasher = PasswordHasher()
TOKEN_ALG = "HS256"  # noqa: S105  (an algorithm name, not a secret)
API_KEY_PREFIX = "hq_"


class Role(StrEnum):
    OFFICER = "officer"
    TEAM_LEAD = "team_lead"
    SUBDEPARTMENT_LEADER = "subdepartment_leader"
    DEPARTMENT_LEADER = "department_leader"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    # staff of another agency (a line ministry): its own pages only, never a customs officer's (agencies)
    AGENCY_OFFICER = "agency_officer"
    # reads passenger and crew data and its screening against watch lists, every read audited (conveyances)
    TARGETING_OFFICER = "targeting_officer"


class EnterpriseRole(StrEnum):
    DECLARANT = "declarant"
    TERMINAL_OPERATOR = "terminal_operator"
    CARRIER = "carrier"
    BANK = "bank"
    AGENCY = "agency"  # a line ministry's system (agencies): its permits and inspections only
    ASW_GATEWAY = "asw_gateway"  # the ASEAN Single Window gateway delivering partners' e-C/O


class KeyScope(StrEnum):
    """What an API key may do: `read` (GET), `write` (every other method: lodge, amend, send messages),
    `manage` (the enterprise's own API keys and webhook). A key without the scope a request needs is
    refused with a 403 naming it."""

    READ = "read"
    WRITE = "write"
    MANAGE = "manage"


ALL_SCOPES = frozenset(KeyScope)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scope_for_method(method: str) -> KeyScope:
    return KeyScope.READ if method.upper() in READ_METHODS else KeyScope.WRITE


AGENCY_ROLES = frozenset({Role.AGENCY_OFFICER})
LEADER_ROLES = frozenset(
    {Role.TEAM_LEAD, Role.SUBDEPARTMENT_LEADER, Role.DEPARTMENT_LEADER, Role.ADMINISTRATOR}
)
DECIDING_ROLES = frozenset({Role.OFFICER, Role.TEAM_LEAD, Role.SUBDEPARTMENT_LEADER, Role.DEPARTMENT_LEADER})


@dataclass(frozen=True)
class Scope:
    """What a caller may see: units (None = every unit) and, for an enterprise, only its own records and,
    when it reads, the records naming its tax code as a party (importer, exporter, payer).

    Every public function of a domain's `repository.py` takes one as the keyword `scope`."""

    units: frozenset[str] | None
    enterprise_id: str | None = None
    tax_code: str | None = None

    def covers_unit(self, unit: str) -> bool:
        return self.units is None or unit in self.units


# The scope of the command line, the demo and the consumers, which act for no caller: every unit, every
# enterprise. Named so that an unscoped read says so where it is made.
UNSCOPED = Scope(units=None)


@dataclass(frozen=True)
class Principal:
    kind: str  # "officer" | "enterprise"
    id: str
    name: str
    scope: Scope
    unit: str | None = None
    role: str | None = None
    enterprise_roles: frozenset[str] = field(default_factory=frozenset)
    tax_code: str | None = None
    # the credential: an API key's id, scopes and end (None: no end); an officer's server-side session,
    # and whether its last use is old enough to be recorded again (organization.sessions)
    key_id: str | None = None
    key_scopes: frozenset[str] | None = None
    expires_at: datetime | None = None
    session_id: str | None = None
    session_stale: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_officer(self) -> bool:
        return self.kind == "officer"

    @property
    def is_enterprise(self) -> bool:
        return self.kind == "enterprise"

    def require_officer(self, *roles: str) -> None:
        if not self.is_officer or (self.role in AGENCY_ROLES and self.role not in roles):
            raise Forbidden("this action is for customs officers", code="officers_only")
        if roles and self.role not in roles:
            raise Forbidden(f"this action needs one of the roles: {', '.join(roles)}", code="role_required")

    def require_enterprise(self, *roles: str) -> None:
        if not self.is_enterprise:
            raise Forbidden("this action is for enterprise systems", code="enterprises_only")
        if roles and not (self.enterprise_roles & set(roles)):
            raise Forbidden(
                f"this API key's enterprise lacks the role: {', '.join(roles)}",
                code="enterprise_role_required",
            )

    def require_scope(self, scope: str) -> None:
        """403 naming the scope unless the caller's API key carries it (officers are not concerned)."""
        if self.key_scopes is not None and scope not in self.key_scopes:
            raise Forbidden(
                f"this API key lacks the scope '{scope}' (it has: {', '.join(sorted(self.key_scopes))})",
                field="Authorization",
                code="scope_required",
            )

    def admit(self, method: str) -> None:
        """Whether the credential still holds and covers a request of this HTTP method: checked on every
        request, also when the caller was remembered (organization.principals)."""
        if self.expires_at is not None and self.expires_at <= clock.now():
            raise Unauthorized("the API key has expired", code="api_key_expired")
        self.require_scope(scope_for_method(method))


def configure_password_hashing(*, time_cost: int, memory_cost: int) -> None:
    """Tune argon2 (tests use cheap parameters; production keeps the library's defaults)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def hash_password(password: str) -> str:
    with passwords.slot():  # kit.passwords: a bounded number of argon2 computations at once
        return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the hash `stored`; with None (no such officer) the same work is done
    against a dummy hash and the answer is False (kit.passwords)."""
    hasher = _hasher
    target = stored if stored is not None else passwords.dummy_hash(hasher, hash_password)
    try:
        with passwords.slot():
            return hasher.verify(target, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def issue_token(*, secret: str, subject: str, ttl_minutes: int, extra: dict[str, Any] | None = None) -> str:
    now = clock.now()
    claims = {
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=ttl_minutes)).timestamp()),
    }
    claims.update(extra or {})
    return jwt.encode(claims, secret, algorithm=TOKEN_ALG)


def read_token(token: str, *, secret: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALG],
            # times are judged by haiquan's clock below (tests freeze it), not the library's wall clock
            options={"require": ["sub", "exp", "iat"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized("the token is not valid", code="invalid_token") from exc
    if int(claims["exp"]) <= int(clock.now().timestamp()):
        raise Unauthorized("the token has expired: log in again", code="token_expired")
    return claims


def new_api_key() -> tuple[str, str, str]:
    """Return (key shown once, key id, stored hash)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    full = f"{API_KEY_PREFIX}{key_id}_{secret}"
    return full, key_id, hash_api_key(full)


def hash_api_key(full: str) -> str:
    return hashlib.sha256(full.encode()).hexdigest()


def parse_api_key(full: str) -> str | None:
    """The key id of a well-formed key, else None."""
    if not full.startswith(API_KEY_PREFIX):
        return None
    rest = full[len(API_KEY_PREFIX) :]
    key_id, sep, secret = rest.partition("_")
    if not sep or len(key_id) != 12 or not secret:
        return None
    return key_id


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def sign_payload(secret: str, body: bytes, timestamp: str) -> str:
    """Webhook signature: hex HMAC-SHA256 over "<timestamp>.<body>"."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
