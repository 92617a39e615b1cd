"""Every setting of guiyang-ops, declared once with its help text, validated at load, built by a function.

Settings come from environment variables prefixed ``GUIYANG_`` (``DATABASE_URL`` has no prefix, as is usual)
and from an optional ``.env`` file. ``get_settings()`` builds them; nothing is read at import time.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.ratelimit import parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GUIYANG_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GUIYANG_DATABASE_URL"),
        description="PostGIS server to use (postgresql://user:pass@host:port/db). Unset: the project's own "
        "cluster under var/pg, started on demand.",
    )
    owner_database_url: str | None = Field(
        default=None,
        description="With DATABASE_URL (the app role's URL): the URL of the role that owns the tables, for the "
        "migrations and the admin commands (setup, migrate, load-reference, import-layer, seed-demo, user add, "
        "api-key). Unset: the admin commands use DATABASE_URL too. The project's own cluster has both roles.",
    )
    database_name: str = Field("guiyang_ops", description="Database name in the project's own cluster.")
    var_dir: Path = Field(PROJECT_ROOT / "var", description="Where the local cluster, media and logs live.")
    pg_port: int = Field(54329, description="Port (and socket name) of the project's own PostgreSQL cluster.")
    media_dir: Path | None = Field(None, description="Where uploaded photos are stored (default: var/media).")
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8050, description="Port the web server listens on.")
    workers: int = Field(
        1, description="uvicorn worker processes (push works across workers via LISTEN/NOTIFY)."
    )
    demo_mode: bool = Field(
        False, description="Demo mode: demo accounts may sign in and demo data is loaded."
    )
    secret_key: str | None = Field(
        None,
        description="Signs session cookies. Required outside demo mode; in demo mode one is generated and kept "
        "in var/secret_key.",
    )
    cookie_secure: bool = Field(False, description="Mark the session cookie Secure (set true behind HTTPS).")
    working_periods: str = Field(
        "09:00-12:00,13:30-18:00", description="Working periods of a working day, for working-hour deadlines."
    )
    tianditu_key: str = Field("", description="Tianditu key; empty hides the Tianditu base layers.")
    osm_tiles: bool = Field(False, description="Offer OpenStreetMap tiles as a base layer (needs internet).")
    default_lang: str = Field("zh", description="Default UI language: zh or en.")
    log_level: str = Field("INFO", description="Log level of the server and commands.")
    public_track_per_minute: float = Field(
        20,
        ge=0,
        description="Ticket lookups of the public map (page and /public/v1/track) one client may make a minute, "
        "per server process; 0: no limit.",
    )
    public_track_burst: int = Field(
        10,
        ge=1,
        le=1000,
        description="Ticket lookups a client may make at once before the per-minute rate applies.",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies in front of the app. A "
        "request from one of them is counted against the first untrusted address of X-Forwarded-For (read "
        "from the right); empty: X-Forwarded-For is ignored and the connecting address is the client.",
    )

    @field_validator("default_lang")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("zh", "en"):
            raise ValueError("default_lang must be 'zh' or 'en'")
        return v

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, v: str) -> str:
        try:
            parse_networks(v)
        except ValueError as exc:
            raise ValueError(f"trusted_proxies: not a list of addresses or networks ({exc})") from exc
        return v

    @model_validator(mode="after")
    def _paths(self) -> Settings:
        if self.media_dir is None:
            self.media_dir = self.var_dir / "media"
        return self

    @property
    def media_path(self) -> Path:
        assert self.media_dir is not None
        return self.media_dir

    def session_secret(self) -> str:
        """The session signing key; refuses to run outside demo mode without a configured one."""
        if self.secret_key:
            return self.secret_key
        if not self.demo_mode:
            raise RuntimeError("GUIYANG_SECRET_KEY must be set outside demo mode")
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
