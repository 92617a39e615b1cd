"""Settings of the Open311 API, environment variables prefixed ``GUIYANG_OPEN311_`` (and the ``.env`` file).
Built by :func:`get_open311_settings` when the router is made, never at import."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Open311Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GUIYANG_OPEN311_", env_file=".env", extra="ignore")

    jurisdiction_id: str = Field("guiyang.gov.cn", description="The jurisdiction_id this server answers for.")
    require_jurisdiction: bool = Field(
        False, description="Refuse requests without jurisdiction_id (400), as multi-city servers do."
    )
    max_photo_bytes: int = Field(
        10_000_000, ge=10_000, le=50_000_000, description="Largest accepted photo, in bytes (each)."
    )
    verification_radius_m: float = Field(
        500,
        gt=0,
        le=10_000,
        description="Registered citizens whose home is this close get verification tasks.",
    )
    max_page_size: int = Field(1000, ge=1, le=1000, description="Most requests in one GET requests answer.")
    contact: str = Field(
        "贵阳市城市管理监督指挥中心 / Guiyang city-management command center",
        description="Who to contact about the API (discovery).",
    )
    key_service: str = Field(
        "API keys are issued by the command center (guiyang-ops api-key create).",
        description="How to obtain an API key (discovery).",
    )
    changeset: str = Field("2026-11-24T00:00:00+08:00", description="When the API last changed (discovery).")


def get_open311_settings(**overrides: object) -> Open311Settings:
    return Open311Settings(**overrides)  # type: ignore[arg-type]
