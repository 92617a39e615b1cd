"""Masking of personal data in the free text of reports before anything public shows it.

Policy: a report's free text (description, address) is published **after automatic masking**, not held back until
a moderator approves it. Every public path (Open311 ``GET requests``, the public map and its endpoints, the
citizen-facing verification tasks) calls :func:`mask_public_text`; this module is the one place the rules live.
Staff screens show the original text (they need it to handle the case).

Masked, each replaced by :data:`MASK`:

- mobile numbers ``1[3-9]x xxxx xxxx``, written together or grouped 3-4-4 with spaces or dashes, with or
  without ``+86`` / ``0086`` / ``86``;
- landlines with an area code: ``0851-86123456``, ``(0851)86123456``, ``085186123456``;
- resident ID numbers: 18 digits (the last may be ``X``) and the old 15-digit ones, with a valid date inside;
- e-mail addresses;
- what follows 姓名 / 联系人 / 我是 / 我叫 / 本人 / 报告人 / 举报人 / 投诉人 / 反映人 / 名字 (a name: 2–3 Chinese
  characters, a surname with 先生 / 女士 / 小姐 / 师傅 / 阿姨 / 老师, or a Latin name), and what follows
  联系方式 / 联系电话 / 电话 / 手机 / 微信 / QQ / tel / phone (a contact value of digits and Latin characters).

Not masked: ticket numbers (``GY261117-45360``), dates, times, house and room numbers, grid cell codes,
coordinates, amounts: none of them is a run of digits of the shapes above standing on its own.
"""

from __future__ import annotations

import re

MASK = "***"

_DASH = r"[\s\-－]?"
_NOT_DIGIT_BEFORE = r"(?<![0-9０-９A-Za-z])"
_NOT_DIGIT_AFTER = r"(?![0-9０-９])"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

_RULES: tuple[re.Pattern[str], ...] = (
    # e-mail first: its local part may hold digits that look like a phone
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
    # resident ID: 18 digits (birth date 18xx-20xx inside, last digit or X) and the old 15 digits (yymmdd)
    re.compile(
        _NOT_DIGIT_BEFORE + r"[1-9]\d{5}(?:18|19|20)\d{2}" + _DATE + r"\d{3}[\dXx]" + _NOT_DIGIT_AFTER
    ),
    re.compile(_NOT_DIGIT_BEFORE + r"[1-9]\d{5}\d{2}" + _DATE + r"\d{3}" + _NOT_DIGIT_AFTER),
    # mobile: 1[3-9]x xxxx xxxx, optionally +86 / 0086 / 86
    re.compile(
        r"(?<![0-9０-９])(?:(?:\+|00)?86"
        + _DASH
        + r")?1[3-9]\d"
        + _DASH
        + r"\d{4}"
        + _DASH
        + r"\d{4}"
        + _NOT_DIGIT_AFTER
    ),
    # landline with its area code: 0851-86123456, (0851)86123456, 010 12345678
    re.compile(
        r"(?<![0-9０-９])(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}" + _DASH + r")[2-9]\d{6,7}" + _NOT_DIGIT_AFTER
    ),
)

_NAME_KEYS = "姓名|联系人|我是|我叫|本人|报告人|举报人|投诉人|反映人|名字"
_NAME = (
    r"(?:[\u4e00-\u9fff](?:先生|女士|小姐|师傅|阿姨|老师)"
    r"|[\u4e00-\u9fff]{2,3}"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})"
)
_CONTACT_KEYS = "联系方式|联系电话|电话号码|电话|手机号码|手机号|手机|微信号|微信|QQ号|QQ|qq|[Tt]el|[Pp]hone"
_KEYED = (
    re.compile(rf"(?P<key>{_NAME_KEYS})(?P<sep>\s*[:：是为]?\s*)(?P<value>{_NAME})"),
    re.compile(
        rf"(?<![A-Za-z])(?P<key>{_CONTACT_KEYS})(?P<sep>\s*[:：是为]?\s*)(?P<value>[A-Za-z0-9_@.+\-]{{5,40}})"
    ),
)


def mask_public_text(value: str | None) -> str | None:
    """``value`` with phone numbers, ID numbers, e-mail addresses and names after their cue words replaced by
    :data:`MASK`; None stays None.

    >>> mask_public_text("井盖丢了，联系人：王小明，电话 139-8501-2345")
    '井盖丢了，联系人：***，电话 ***'
    >>> mask_public_text("编号 GY261117-45360，2026-11-17 中华北路 12 号")
    '编号 GY261117-45360，2026-11-17 中华北路 12 号'
    """
    if value is None:
        return None
    text = value
    for rule in _RULES:
        text = rule.sub(MASK, text)
    for keyed in _KEYED:
        text = keyed.sub(_keep_key, text)
    return text


def mask_phone(phone: str | None) -> str | None:
    """A phone on a staff screen of a reader who may not see it: ``13800001234`` → ``138****1234``, enough to
    tell two callers apart, not to call them; fewer than 7 digits: ``***``.

    >>> mask_phone("13800001234")
    '138****1234'
    >>> mask_phone("+86 138-0000-1234")
    '138****1234'
    """
    if not phone:
        return None
    digits = [c for c in phone if c.isdigit()]
    if len(digits) == 13 and digits[:2] == ["8", "6"]:
        digits = digits[2:]  # the country code tells two callers apart no better
    if len(digits) < 7:
        return MASK
    return "".join(digits[:3]) + "****" + "".join(digits[-4:])


def _keep_key(m: re.Match[str]) -> str:
    return m.group("key") + m.group("sep") + MASK
