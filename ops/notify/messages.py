"""The message of a notification: a title and a body, in zh (default) or en, and the path of its deep link.

What a message says: the kind (派遣, 回退, 返工, 督办, 即将超期, 已超期, 研判预警), the ticket, the 小类, the place
(district and address), the deadline of the case's current stage in Asia/Shanghai time, the department holding
it, and a reason when the step has one (回退 / 返工 / 督办). Never the reporter's name, phone or account: they are
not even read. The citizen's description and staff reasons are free text that may hold a phone number or a name a
citizen typed: they pass :func:`db.masking.mask_public_text` (the rules every public path uses) and are cut to
:data:`TEXT_MAX` characters; the address is masked the same way.

The row keeps the link as a path (``/workbench?case=<ticket>``); the worker makes it absolute with
``GUIYANG_BASE_URL`` when it sends (:func:`outgoing`), so a pending message follows a change of the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.masking import mask_public_text
from geo.crs import TZ
from ops.links import alert_path, case_path

TEXT_MAX = 80

KIND_NAMES: dict[str, tuple[str, str]] = {
    "dispatch": ("派遣", "Dispatched"),
    "return": ("回退", "Returned"),
    "rework": ("返工", "Rework"),
    "escalate": ("督办", "Escalated"),
    "yellow": ("即将超期", "Deadline near"),
    "red": ("已超期", "Overdue"),
    "alert": ("研判预警", "Alert"),
    "test": ("测试", "Test"),
}
#: The first line of a case message: what happened, with ``{dept}`` the department holding the case.
LEADS: dict[str, tuple[str, str]] = {
    "dispatch": ("案件已派遣至{dept}，请按时处置。", "Dispatched to {dept}; please handle it in time."),
    "return": ("{dept}回退了该案件，请重新派遣。", "{dept} returned the case; please dispatch it again."),
    "rework": (
        "核查未通过，案件退回{dept}返工。",
        "Verification failed; the case is back at {dept} for rework.",
    ),
    "escalate": ("该案件已升级督办。", "The case has been escalated."),
    "yellow": (
        "该案件处置时限已用去八成，即将超期。",
        "80 % of the handling time is used; the case is due soon.",
    ),
    "red": ("该案件已超过处置时限。", "The case is past its handling deadline."),
}
LABELS: dict[str, tuple[str, str]] = {
    "case": ("案件", "Case"),
    "category": ("类别", "Category"),
    "place": ("地点", "Place"),
    "deadline": ("时限", "Deadline"),
    "department": ("责任部门", "Department"),
    "returned_by": ("回退部门", "Returned by"),
    "description": ("描述", "Description"),
    "reason": ("原因", "Reason"),
    "open": ("查看", "Open"),
    "window": ("时段", "Window"),
    "none": ("无", "none"),
    "urgent": ("紧急", "urgent"),
}
_COLON = {"zh": "：", "en": ": "}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _line(key: str, value: str, lang: str) -> str:
    return f"{_pick(LABELS[key], lang)}{_COLON[lang]}{value}"


def clean(value: str | None) -> str:
    """Free text fit for a message: masked (phones, ID numbers, e-mails, names after their cue words), one line,
    at most :data:`TEXT_MAX` characters."""
    masked = " ".join((mask_public_text(value) or "").split())
    return masked if len(masked) <= TEXT_MAX else masked[: TEXT_MAX - 1] + "…"


def local_time(at: datetime | None, lang: str) -> str:
    if at is None:
        return _pick(LABELS["none"], lang)
    stamp = at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    return f"{stamp}（北京时间）" if lang == "zh" else f"{stamp} (Beijing time)"


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    link: str


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a case message may say (read by :data:`ops.notify.outbox.CASE_FACTS`): no personal data."""

    ticket: str
    category_zh: str
    category_en: str
    district_zh: str | None
    district_en: str | None
    address: str | None
    description: str | None
    deadline: datetime | None
    department_zh: str | None
    department_en: str | None
    urgent: bool

    @classmethod
    def of(cls, row: Any) -> CaseFacts:
        return cls(**{name: getattr(row, name) for name in cls.__slots__})


def case_message(kind: str, facts: CaseFacts, lang: str, *, note: str | None = None) -> Message:
    """The message of ``kind`` about a case, in ``lang``; ``note`` is the step's reason (masked here)."""
    zh = lang == "zh"
    category = facts.category_zh if zh else facts.category_en
    district = (facts.district_zh if zh else facts.district_en) or ""
    dept = (facts.department_zh if zh else facts.department_en) or ("" if zh else "the department")
    tag = _pick(KIND_NAMES[kind], lang)
    urgent = f" {_pick(LABELS['urgent'], lang)}" if facts.urgent else ""
    title = (
        f"【{tag}】{facts.ticket} {category}{urgent}" if zh else f"[{tag}] {facts.ticket} {category}{urgent}"
    )
    place = " ".join(p for p in (district, clean(facts.address)) if p) or _pick(LABELS["none"], lang)
    lines = [
        _pick(LEADS[kind], lang).format(dept=dept),
        _line("case", facts.ticket, lang),
        _line("category", category, lang),
        _line("place", place, lang),
        _line("deadline", local_time(facts.deadline, lang), lang),
    ]
    if facts.department_zh:
        lines.append(_line("returned_by" if kind == "return" else "department", dept, lang))
    if facts.description and clean(facts.description):
        lines.append(_line("description", clean(facts.description), lang))
    if note and clean(note):
        lines.append(_line("reason", clean(note), lang))
    return Message(title=title, body="\n".join(lines), link=case_path(facts.ticket))


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What an alert message says (:class:`ops.analysis.alert_states.NewAlert` plus names)."""

    alert_id: int
    category_zh: str
    category_en: str
    district_zh: str | None
    district_en: str | None
    window_start: datetime
    window_end: datetime
    explanation_zh: str
    explanation_en: str


def alert_message(facts: AlertFacts, lang: str) -> Message:
    zh = lang == "zh"
    category = facts.category_zh if zh else facts.category_en
    district = (facts.district_zh if zh else facts.district_en) or ("全市" if zh else "city-wide")
    tag = _pick(KIND_NAMES["alert"], lang)
    title = f"【{tag}】{district} {category}" if zh else f"[{tag}] {district} {category}"
    window = f"{local_time(facts.window_start, lang)} – {local_time(facts.window_end, lang)}"
    lines = [
        facts.explanation_zh if zh else facts.explanation_en,
        _line("category", category, lang),
        _line("place", district, lang),
        _line("window", window, lang),
    ]
    return Message(title=title, body="\n".join(lines), link=alert_path(facts.alert_id))


def outgoing(title: str, body: str, link: str | None, base_url: str, lang: str = "zh") -> tuple[str, str]:
    """The title and body as sent: the body ends with the absolute deep link."""
    if not link:
        return title, body
    absolute = base_url.rstrip("/") + link
    label = "查看" if lang == "zh" else "Open"
    return title, f"{body}\n{label}{_COLON[lang]}{absolute}"
