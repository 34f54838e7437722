"""The one settings object. Nothing else in haiquan reads the environment."""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]
DB_RESERVE = 16  # connections of the background duties (dispatcher, webhooks, escalations, federation)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAIQUAN_", extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy URL; empty means the embedded SQLite file")
    data_dir: Path = Field(default=REPO_ROOT / "var")
    nats_url: str = Field(default="", description="NATS JetStream URL; empty means the in-process bus only")
    nats_nkey_file: str = Field(default="", description="Seed file (nkey) the node connects to NATS with")
    nats_ca_file: str = Field(
        default="", description="CA that the node's NATS server's certificate is checked against"
    )
    nats_cert_file: str = Field(
        default="", description="Client certificate shown to NATS (servers that verify clients)"
    )
    nats_key_file: str = Field(default="", description="Key of nats_cert_file")
    unit: str = Field(default="00", description="The unit this node serves (00 = General Department)")
    parent_node: str = Field(default="", description="Unit of the node above this one (federation)")
    child_nodes: str = Field(default="", description="Comma-separated units of the nodes below this one")
    secret_key: str = Field(default="", description="Key that signs officer tokens and webhook payloads")
    token_ttl_minutes: int = Field(
        default=480, description="Absolute session timeout: an officer's session ends this long after login"
    )
    session_idle_minutes: int = Field(
        default=30, description="Idle session timeout: a session unused this long ends (log in again)"
    )
    log_level: str = "INFO"
    log_json: bool = False
    require_services: bool = False
    declaration_keep_days: int = 7
    passenger_retention_days: int = Field(
        default=90,
        ge=1,
        description="Crew and passenger data of an arrival or departure is anonymised this many days after "
        "the movement (`haiquan conveyances purge`)",
    )
    writeoff_days: int = Field(
        default=30, description="Legal period after a manifest's arrival for its bills to be discharged"
    )
    webhook_max_attempts: int = 8
    webhook_secret_overlap_hours: int = Field(
        default=24,
        description="After a webhook secret is rotated, deliveries are also signed with the previous one "
        "(X-Haiquan-Signature-Previous) for this long, so that receivers switch without losing one",
    )
    development: bool = Field(
        default=False,
        description="A developer's or test installation: webhook URLs may be plain http:// and reach "
        "loopback and private addresses. Never in production.",
    )
    dispatcher_interval_seconds: float = 0.5
    run_dispatcher: bool = True
    timezone: str = "Asia/Ho_Chi_Minh"
    holidays_file: str = Field(
        default="",
        description="CSV of public holidays the legal time limits skip (date,name_vi,name_en,source); "
        "empty means the shipped reference/data/holidays_vn.csv",
    )
    audit_key_file: str = Field(
        default="",
        description="Ed25519 key (PEM) that signs audit checkpoints; empty = <data_dir>/audit/signing.key",
    )
    audit_checkpoint_file: str = Field(
        default="",
        description="Append-only file of signed audit checkpoints, ideally on another host or a write-once "
        "store; empty = <data_dir>/audit/checkpoints.jsonl",
    )
    audit_checkpoint_hours: float = Field(
        default=24.0, description="A checkpoint when the last is older than this (0 = no background duty)"
    )
    metrics_token: str = Field(
        default="", description="Bearer token for /metrics; empty = loopback clients only"
    )
    # Bounds under overload and abuse (docs/operations.md#overload-and-abuse, decision 0019), per worker.
    admission_limit: int = Field(default=32, ge=1, description="Requests in progress at once")
    admission_queue: int = Field(default=128, ge=0, description="Requests waiting for a place, at most")
    admission_wait_seconds: float = Field(default=2.0, gt=0, description="Longest wait for a place (503)")
    db_pool_size: int = Field(default=24, ge=1, description="Database connections kept open")
    db_max_overflow: int = Field(default=24, ge=0, description="Connections opened beyond the pool")
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, description="Wait for a connection (503)")
    db_statement_timeout_ms: int = Field(default=30_000, ge=0, description="PostgreSQL; 0 = none")
    body_timeout_seconds: float = Field(default=30.0, gt=0, description="Whole request body (408)")
    body_idle_seconds: float = Field(default=10.0, gt=0, description="Between two parts of a body (408)")
    rate_limits_enabled: bool = True
    rate_read_per_second: float = Field(default=50.0, gt=0, description="Per API key or officer")
    rate_read_burst: int = Field(default=500, ge=1)
    rate_write_per_second: float = Field(default=20.0, gt=0, description="Per API key or officer")
    rate_write_burst: int = Field(default=200, ge=1)
    rate_anonymous_per_second: float = Field(default=10.0, gt=0, description="Per source address")
    rate_anonymous_burst: int = Field(default=200, ge=1)
    rate_public_per_second: float = Field(default=5.0, gt=0, description="Public reference API, per address")
    rate_public_burst: int = Field(default=60, ge=1)
    rate_tracked_keys: int = Field(default=20_000, ge=100, description="Callers remembered, at most")
    login_free_failures: int = Field(default=3, ge=1, description="Wrong passwords before any delay")
    login_max_delay_seconds: float = Field(default=60.0, gt=0)
    login_lockout_failures: int = Field(default=10, ge=2, description="Per username and source address")
    login_lockout_seconds: float = Field(default=900.0, gt=0)
    login_source_failures: int = Field(default=30, ge=1, description="Per source address, any username")
    login_account_failures: int = Field(default=50, ge=1, description="Per username, any source")
    login_trusted_networks: str = Field(
        default="",
        description="Comma-separated networks (the customs WAN) whose addresses a distributed attack on an "
        "account never shuts out: only their own wrong passwords slow them down",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of the TLS proxies whose X-Forwarded-For names the client "
        "for the rate limits and login throttling",
    )
    password_hash_concurrency: int = Field(default=2, ge=1, description="argon2 checks at once")
    # Low-value goods (MIC/MEC, express and postal; haiquan.lowvalue, decision 0024): their own writer, queue,
    # admission and connections; thresholds in VND (docs/express.md#thresholds states the legal basis).
    lowvalue_mic_threshold_vnd: int = Field(
        default=1_000_000, ge=0, description="Highest customs value of a low-value import (MIC), VND"
    )
    lowvalue_mec_threshold_vnd: int = Field(
        default=5_000_000, ge=0, description="Highest customs value of a low-value export (MEC), VND"
    )
    lowvalue_serve: bool = Field(
        default=True,
        description="This worker serves the low-value routes (off: 503 naming the workers that do)",
    )
    lowvalue_schema: str = Field(
        default="",
        pattern=r"^([a-z_][a-z0-9_]{0,62})?$",
        description="PostgreSQL schema holding the low-value tables (search_path: it, then public); empty = public",
    )
    lowvalue_admission_limit: int = Field(default=2, ge=1, description="Low-value bulks in progress at once")
    # none wait by default: a bulk beyond the limit is refused at once (503, Retry-After) rather than queued to
    # compete for the CPU later, during the burst's tail; a waiting bulk would also hold a place of the worker's
    # own admission limit
    lowvalue_admission_queue: int = Field(default=0, ge=0, description="Low-value bulks waiting, at most")
    lowvalue_admission_wait_seconds: float = Field(default=5.0, gt=0, description="Longest wait (503)")
    lowvalue_db_pool_size: int = Field(default=4, ge=1, description="The low-value writer's connections")
    lowvalue_nice: int = Field(
        default=0,
        ge=0,
        le=19,
        description="CPU priority lowered by this at start (dedicated low-value workers)",
    )
    # ATIGA e-Form D matching (origin.domain; docs/asean-single-window.md)
    origin_quantity_tolerance_percent: Decimal = Field(
        default=Decimal(5),
        ge=0,
        le=50,
        description="A certificate's quantity may differ from the line's by this",
    )
    origin_fob_tolerance_percent: Decimal = Field(
        default=Decimal(5),
        ge=0,
        le=50,
        description="A certificate's FOB value may differ from the line's by this",
    )
    origin_validity_days: int = Field(
        default=365, ge=1, description="An e-Form D is valid this long after issue"
    )
    origin_pending_days: int = Field(
        default=365, ge=1, description="A claim waits this long for its certificate, then MFN applies"
    )
    origin_signing_key: str = Field(
        default="", description="VN's e-Form D signing key (PEM); empty = <data_dir>/origin/vn-signing.key"
    )
    # tax accounts (taxes.interest; docs/taxes.md)
    tax_late_interest_per_day: Decimal = Field(
        default=Decimal("0.0003"),
        ge=0,
        le=Decimal("0.01"),
        description="Late-payment interest a day (Luật Quản lý thuế 2019 Art. 59: 0.03 %)",
    )

    @model_validator(mode="after")
    def _pool_fits_admission(self) -> Settings:
        """Every admitted request may hold a connection while the background duties hold theirs: a pool
        smaller than that makes requests wait for connections instead of for admission."""
        from haiquan.kit.sources import networks

        networks(self.trusted_proxies)  # a bad address refuses to start, naming it
        networks(self.login_trusted_networks)
        need = self.admission_limit + DB_RESERVE
        if self.db_pool_size + self.db_max_overflow < need:
            raise ValueError(
                f"db_pool_size + db_max_overflow must be at least admission_limit + {DB_RESERVE} = {need}"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'haiquan.db'}"

    @property
    def effective_secret_key(self) -> str:
        """A stable key: the configured one, else one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
