"""What an area subscription's message says, in zh or en.

- **Staff** read the case as the workbench names it: ticket, 小类, district and address, the status, the
  description — free text masked and cut like every notification (:func:`ops.notify.messages.clean`), never
  the reporter — and the deep link ``/workbench?case=<ticket>``.
- **Citizens** read only the public view of someone else's report: ticket, 小类, district and the place as the
  public map shows it (the grid cell's point, 5 decimals), the status in plain words (已受理 / 处理中 / 已办结),
  and the public Open311 link. No address, no description, no photo, no person: those may name the reporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ops.links import case_path
from ops.notify.messages import CaseFacts, Message, clean
from ops.states import LABELS, PUBLIC_STAGE, CaseStatus

TAGS: dict[str, tuple[str, str]] = {
    "new": ("区域订阅·新上报", "Area · New report"),
    "closed": ("区域订阅·已结案", "Area · Closed"),
}
LEADS: dict[str, tuple[str, str]] = {
    "new": ("您订阅的区域“{label}”内有新上报。", "A new report in your area “{label}”."),
    "closed": ("您订阅的区域“{label}”内有案件已办结。", "A case was closed in your area “{label}”."),
}
_LINES: dict[str, tuple[str, str]] = {
    "case": ("案件", "Case"),
    "category": ("类别", "Category"),
    "place": ("地点", "Place"),
    "status": ("状态", "Status"),
    "description": ("描述", "Description"),
    "near": ("约", "near"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _line(key: str, value: str, lang: str) -> str:
    return f"{_pick(_LINES[key], lang)}{': ' if lang == 'en' else '：'}{value}"


def _title(event: str, ticket: str, category: str, lang: str) -> str:
    tag = _pick(TAGS[event], lang)
    return f"[{tag}] {ticket} {category}" if lang == "en" else f"【{tag}】{ticket} {category}"


def label_of(label: str | None, sid: int) -> str:
    return label or f"#{sid}"


def staff_message(event: str, facts: CaseFacts, status: str, label: str, lang: str) -> Message:
    zh = lang != "en"
    category = facts.category_zh if zh else facts.category_en
    district = (facts.district_zh if zh else facts.district_en) or ""
    place = " ".join(p for p in (district, clean(facts.address)) if p) or "—"
    lines = [
        _pick(LEADS[event], lang).format(label=label),
        _line("case", facts.ticket, lang),
        _line("category", category, lang),
        _line("place", place, lang),
        _line("status", _pick(LABELS[CaseStatus(status)], lang), lang),
    ]
    if facts.description and clean(facts.description):
        lines.append(_line("description", clean(facts.description), lang))
    return Message(_title(event, facts.ticket, category, lang), "\n".join(lines), case_path(facts.ticket))


@dataclass(frozen=True, slots=True)
class PublicFacts:
    """The public view of a case (read by :data:`ops.subscriptions.matching.PUBLIC_FACTS`)."""

    ticket: str
    category_zh: str
    category_en: str
    district_zh: str | None
    district_en: str | None
    lon: float
    lat: float

    @classmethod
    def of(cls, row: Any) -> PublicFacts:
        return cls(**{name: getattr(row, name) for name in cls.__slots__})


def public_path(ticket: str) -> str:
    return f"/open311/v2/requests/{ticket}.json"


def citizen_message(event: str, facts: PublicFacts, status: str, label: str, lang: str) -> Message:
    zh = lang != "en"
    category = facts.category_zh if zh else facts.category_en
    district = (facts.district_zh if zh else facts.district_en) or ""
    near = f"{_pick(_LINES['near'], lang)} {facts.lat:.5f}, {facts.lon:.5f}"
    place = f"{district}（{near}）" if zh else f"{district} ({near})"
    lines = [
        _pick(LEADS[event], lang).format(label=label),
        _line("case", facts.ticket, lang),
        _line("category", category, lang),
        _line("place", place.strip(), lang),
        _line("status", _pick(PUBLIC_STAGE[CaseStatus(status)], lang), lang),
    ]
    return Message(_title(event, facts.ticket, category, lang), "\n".join(lines), public_path(facts.ticket))
