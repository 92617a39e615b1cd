"""Every setting of guiyang-ops, declared once with its help text, validated at load, built by a function.

Settings come from environment variables prefixed ``GUIYANG_`` (``DATABASE_URL`` has no prefix, as is usual)
and from an optional ``.env`` file. ``get_settings()`` builds them; nothing is read at import time. The storage
settings (database, cluster, var/, media, backups, photo limits) are declared in :mod:`dashboard.settings_storage`
and inherited by :class:`Settings`; the rest are declared here.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.ratelimit import parse_networks
from dashboard.settings_storage import StorageFields
from db.calendar_repo import WorkCalendars
from ops.signin import Limits


class Settings(BaseSettings, StorageFields):
    model_config = SettingsConfigDict(env_prefix="GUIYANG_", env_file=".env", extra="ignore")

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
    cookie_secure: bool = Field(
        False,
        description="Mark the session cookie Secure and send Strict-Transport-Security (set true behind HTTPS).",
    )
    working_periods: str = Field(
        "09:00-12:00,13:30-18:00", description="Working periods of a working day, for working-hour deadlines."
    )
    tianditu_key: str = Field("", description="Tianditu key; empty hides the Tianditu base layers.")
    osm_tiles: bool = Field(False, description="Offer OpenStreetMap tiles as a base layer (needs internet).")
    basemap_public: bool = Field(
        True,
        description="The city's own basemap (import-layer --kind basemap) is served to everyone and drawn on the "
        "public map too (it holds no personal data); false: to signed-in staff only.",
    )
    default_lang: str = Field("zh", description="Default UI language: zh or en.")
    log_level: str = Field("INFO", description="Log level of the server and commands.")
    stats_min_cases: int = Field(
        20,  # ops.evaluation.DEFAULT_MIN_CASES (not imported: numpy stays out of the settings)
        ge=1,
        le=100_000,
        description="Fewest cases due (应结案数: closed, or past the handling deadline) for a row of /stats and its "
        "exports to get a 综合指标值 and a grade; below it the row shows 样本不足 (too few cases) and is not ranked.",
    )
    audit_keep_days: int = Field(
        183,  # ops.audit_view.MIN_KEEP_DAYS (not imported: the settings stay light)
        ge=183,
        le=36_500,
        description="Days the audit log (sign-ins, administration, exports, data sharing) is kept at least: "
        "`guiyang-ops audit purge` deletes older rows. Six months at least (183); less is refused.",
    )
    history_keep_months: int = Field(
        0,
        ge=0,
        le=1200,
        description="Whole months of history (case events, audit log) kept online: `guiyang-ops db partitions "
        "retain` archives and drops older monthly partitions (never an open case's events, never audit rows the "
        "audit retention keeps). 0 keeps everything.",
    )
    history_ahead_months: int = Field(
        3,
        ge=1,
        le=24,
        description="Months ahead for which the history tables' monthly partitions are made (at migrate, at "
        "start-up and every hour).",
    )
    history_archive_dir: Path | None = Field(
        None, description="Where retained history partitions are archived as gzip CSV (default: var/archive)."
    )
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
    public_exact_categories: str = Field(
        "",
        description="Comma-separated 小类 codes (e.g. C0101) whose reports the public Open311 answers show at "
        "their true point; every other report is shown at its grid cell's point, as on the public map. Empty: "
        "none.",
    )

    @field_validator("public_exact_categories")
    @classmethod
    def _exact(cls, v: str) -> str:
        for code in (c.strip() for c in v.split(",")):
            if code and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", code):
                raise ValueError(f"public_exact_categories: {code!r} is not a 小类 code")
        return v

    @property
    def public_exact_codes(self) -> tuple[str, ...]:
        """The 小类 codes of :attr:`public_exact_categories`."""
        return tuple(dict.fromkeys(c.strip() for c in self.public_exact_categories.split(",") if c.strip()))

    signin_delay_after: int = Field(
        5,
        ge=1,
        description="Failed sign-ins of one account after which every further try waits a growing delay "
        "(refused with 429 until then, the password not even checked).",
    )
    signin_delay_seconds: float = Field(
        2.0,
        gt=0,
        le=600,
        description="The first such delay in seconds; it doubles with each further failure.",
    )
    signin_lock_after: int = Field(
        10,
        ge=1,
        description="Failed sign-ins of one account that lock it (even the right password is refused).",
    )
    signin_lock_minutes: float = Field(
        15, gt=0, description="How long a lock lasts (`guiyang-ops user unlock NAME` ends it sooner)."
    )
    signin_client_delay_after: int = Field(
        10,
        ge=1,
        description="Failed sign-ins from one client address (any accounts) before the delay applies.",
    )
    signin_client_lock_after: int = Field(
        30, ge=1, description="Failed sign-ins from one client address that lock that address out."
    )
    signin_window_minutes: float = Field(
        60, gt=0, description="Failed sign-ins older than this are forgotten by the throttle."
    )
    signin_alert_account: int = Field(
        10,
        ge=1,
        description="Failed or refused sign-ins against one account within the alert period that "
        "raise an alert for admins.",
    )
    signin_alert_city: int = Field(
        30,
        ge=1,
        description="Failed or refused sign-ins city-wide within the alert period that raise an alert.",
    )
    signin_alert_minutes: float = Field(10, gt=0, description="The alert period in minutes.")
    # 研判预警 places and recurrences (ops.analysis.places / .recurrence; defaults equal theirs)
    places_radius_m: float = Field(
        50,
        ge=1,
        le=1000,
        description="多发地点: reports of one 小类 each within this many metres of another form a place (DBSCAN eps).",
    )
    places_min_reports: int = Field(
        3,
        ge=2,
        le=1000,
        description="多发地点: fewest reports of one 小类 that make a place (DBSCAN minpoints).",
    )
    recurrence_radius_m: float = Field(
        30,
        ge=1,
        le=1000,
        description="复发: a new report recurs a closed case of the same 小类 at most this many metres away.",
    )
    recurrence_days: int = Field(
        90, ge=1, le=3650, description="复发: ... and closed at most this many days before the report."
    )
    recurrence_escalate_at: int = Field(
        3,
        ge=1,
        le=1000,
        description="复发督办: the recurrence at a place with this number (and every later one) is escalated.",
    )
    # 研判预警 alerts (ops.analysis.alert_config)
    analysis_interval_s: float = Field(
        20, gt=0, le=3600, description="Seconds between two analysis cycles of `guiyang-ops analyze run`."
    )
    alert_fdr: float = Field(
        0.01,
        gt=0,
        lt=0.5,
        description="False-discovery rate (Benjamini–Hochberg) over all anomaly tests of one analysis cycle, and "
        "over all trend tests of one trend pass.",
    )
    alert_min_count: int = Field(
        5, ge=1, le=10_000, description="Fewest reports in the window for an anomaly alert."
    )
    alert_baseline_weeks: int = Field(
        8,
        ge=2,
        le=26,
        description="Weeks of history behind an anomaly's expectation (same hour-of-week slots).",
    )
    alert_trend_weeks: int = Field(8, ge=4, le=52, description="Weekly counts a trend alert is tested on.")
    alert_trend_min_count: int = Field(
        10, ge=1, le=100_000, description="Fewest reports in the last week for a trend alert."
    )
    alert_trend_min_total: int = Field(
        30,
        ge=1,
        le=1_000_000,
        description="Fewest reports over the trend weeks for an area × category to be tested.",
    )
    alarm_refresh_s: float = Field(
        20,
        ge=1,
        le=600,
        description="Seconds between the alarm banner's safety-net re-reads (push re-reads it at once).",
    )
    alarm_repeat_s: float = Field(
        30, ge=5, le=600, description="Seconds between two chimes while an alarm is not acknowledged."
    )

    # notifications outside the browser (ops.notify: the outbox's delivery worker, `guiyang-ops notify run`)
    base_url: str = Field(
        "http://127.0.0.1:8050",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="The app's address as people outside reach it: notifications link to "
        "<GUIYANG_BASE_URL>/workbench?case=<ticket>.",
    )
    notify_max_attempts: int = Field(
        8, ge=1, le=100, description="Tries of one notification before it is marked failed."
    )
    notify_backoff_s: float = Field(
        30,
        gt=0,
        le=86_400,
        description="Wait after a notification's first failed try; doubled after each further failure, plus "
        "0–50 % jitter.",
    )
    notify_backoff_max_s: float = Field(
        3600, gt=0, le=7 * 86_400, description="Longest wait between two tries of one notification."
    )
    notify_timeout_s: float = Field(
        10, gt=0, le=300, description="Connect and read timeout of one notification's delivery."
    )
    notify_poll_s: float = Field(
        5,
        gt=0,
        le=3600,
        description="Longest the delivery worker sleeps between two looks at the outbox (a new message wakes it "
        "at once).",
    )
    notify_light_interval_s: float = Field(
        30,
        gt=0,
        le=3600,
        description="Seconds between two scans for deadline lights turning yellow or red (their notifications).",
    )
    # area subscriptions (ops.subscriptions: /subscriptions and the Open311 extension)
    subscriptions_mail_url: str = Field(
        "",
        pattern=r"^(mailtos?://\S+)?$",
        description="The city's mail sender for area subscriptions delivered by e-mail: an apprise mailto:// or "
        "mailtos:// URL (user, password, host, from=); each message goes to the subscriber's address (to=). "
        "Empty: subscriptions cannot choose e-mail.",
    )
    subscriptions_local_webhooks: bool = Field(
        False,
        description="Citizens' subscription webhooks may use plain http and point at loopback or private "
        "addresses (tests, a closed network). Off: HTTPS to a public address only.",
    )

    @field_validator("working_periods")
    @classmethod
    def _periods(cls, v: str) -> str:
        WorkCalendars(v)  # raises ValueError on a bad period
        return v

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
        if self.history_archive_dir is None:
            self.history_archive_dir = self.var_dir / "archive"
        if self.backup_dir is None:
            self.backup_dir = self.var_dir / "backup"
        return self

    def signin_limits(self) -> Limits:
        """The sign-in throttle's numbers."""
        return Limits(
            delay_after=self.signin_delay_after,
            delay_seconds=self.signin_delay_seconds,
            lock_after=self.signin_lock_after,
            lock_minutes=self.signin_lock_minutes,
            client_delay_after=self.signin_client_delay_after,
            client_lock_after=self.signin_client_lock_after,
            window_minutes=self.signin_window_minutes,
            alert_account=self.signin_alert_account,
            alert_city=self.signin_alert_city,
            alert_minutes=self.signin_alert_minutes,
        )

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
