"""The one settings object. Nothing else in haiquan reads the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAIQUAN_", extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy URL; empty means the embedded SQLite file")
    data_dir: Path = Field(default=REPO_ROOT / "var")
    nats_url: str = Field(default="", description="NATS JetStream URL; empty means the in-process bus only")
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
