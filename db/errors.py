"""Domain errors. Each carries a message safe to show to the user (zh-CN and English) and an HTTP status.

The UI shows ``message(lang)`` as it is; logs get ``detail`` as well.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, zh: str, en: str, *, detail: str = "", field: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.detail = detail
        self.field = field

    def message(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


class ValidationError(DomainError):
    status = 400
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"


class StaleCase(DomainError):
    status = 409
    code = "stale"

    def __init__(self, ticket: str = "") -> None:
        super().__init__(
            f"案件 {ticket} 已被他人修改，请刷新后重试。".replace("  ", " "),
            f"Someone else changed case {ticket}; refresh and try again.".replace("  ", " "),
        )


class OutsideServiceArea(DomainError):
    status = 400
    code = "outside_service_area"

    def __init__(self, lon: float, lat: float) -> None:
        super().__init__(
            "该位置不在贵阳市城市管理服务范围内。",
            "That location is outside Guiyang's city-management service area.",
            detail=f"lon={lon} lat={lat}",
            field="location",
        )


class ImportFailed(DomainError):
    status = 400
    code = "import_failed"


class Busy(DomainError):
    """The server is at its limit for this kind of work right now: try again shortly (503)."""

    status = 503
    code = "busy"
