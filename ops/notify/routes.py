"""Notification routes as data: add (validated first), list (URLs masked), remove (``removed_at``), each change
recorded in the audit log. The admin page (/admin/notify) and ``guiyang-ops notify route`` both call these.

A route's URL never leaves this module unmasked except through :func:`route_url`, which the delivery of a test
message needs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import apprise
from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from db.models.notify import LANGS, NOTIFY_KINDS
from db.vocabulary import STAFF_ROLES
from geo.crs import TZ
from ops.audit import record
from ops.notify.secrets import ALLOWED_SCHEMES, mask_url, scheme_of

log = logging.getLogger("guiyang_ops.notify")

LABEL_MAX = 80
URL_MAX = 2000
AUDIT_KIND = "notify_route"
#: who added or removed a route from ``guiyang-ops notify route`` (a page's changes carry the admin's name)
CLI_ACTOR = "command line"


@dataclass(frozen=True)
class Route:
    id: int
    department_code: str | None
    department_zh: str | None
    department_en: str | None
    role: str | None
    masked_url: str
    lang: str
    kinds: tuple[str, ...] | None  # None: every kind
    label: str | None
    created_by: str | None
    created_at: datetime

    def target(self, lang: str = "zh") -> str:
        """``市城市管理局 (CGJ)`` or ``role:lead``."""
        if self.department_code:
            name = self.department_en if lang == "en" else self.department_zh
            return f"{name} ({self.department_code})" if name else self.department_code
        return f"role:{self.role}"


def _kinds(kinds: Iterable[str] | None) -> tuple[str, ...] | None:
    if kinds is None:
        return None
    given = {k.strip() for k in kinds if k and k.strip()}
    unknown = sorted(given - set(NOTIFY_KINDS))
    if unknown:
        raise ValidationError(
            f"未知的消息类型：{', '.join(unknown)}。可选：{', '.join(NOTIFY_KINDS)}。",
            f"Unknown message kind: {', '.join(unknown)}. Choose among {', '.join(NOTIFY_KINDS)}.",
            field="kinds",
        )
    return tuple(k for k in NOTIFY_KINDS if k in given) or None


def check_url(url: str) -> str:
    """The URL stripped, or a :class:`ValidationError` (field ``url``) saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(
            "请填写通知地址 (apprise URL)。", "Enter the notification URL (apprise).", field="url"
        )
    if len(url) > URL_MAX:
        raise ValidationError(
            f"地址太长（最多 {URL_MAX} 个字符）。",
            f"The URL is too long (at most {URL_MAX} characters).",
            field="url",
        )
    scheme = scheme_of(url)
    if scheme not in ALLOWED_SCHEMES:
        allowed = ", ".join(f"{s}://" for s in ALLOWED_SCHEMES)
        raise ValidationError(
            f"不支持的地址类型{f' {scheme}://' if scheme else ''}。可用：{allowed}"
            "（企业微信群机器人、钉钉群机器人、电子邮件、JSON Webhook）。",
            f"Unsupported URL type{f' {scheme}://' if scheme else ''}. Use one of {allowed} "
            "(WeCom bot, DingTalk bot, e-mail, JSON webhook).",
            field="url",
            detail=f"scheme={scheme!r}",
        )
    if not apprise.Apprise().add(url):
        raise ValidationError(
            f"无法识别这个 {scheme}:// 地址，请检查格式（例如 wecombot://机器人key、json://主机:端口/路径）。",
            f"This {scheme}:// URL cannot be read; check its form (e.g. wecombot://BOTKEY, json://host:port/path).",
            field="url",
            detail=f"apprise refused {mask_url(url)}",
        )
    return url


def _check_target(
    conn: Connection, department: str | None, role: str | None
) -> tuple[str | None, str | None]:
    department = (department or "").strip() or None
    role = (role or "").strip() or None
    if (department is None) == (role is None):
        raise ValidationError(
            "请指定部门或角色（二选一）。", "Give a department or a role (exactly one).", field="target"
        )
    if department is not None:
        found = conn.execute(text("SELECT 1 FROM department WHERE code = :c"), {"c": department}).scalar()
        if found is None:
            raise ValidationError(
                f"没有代码为 {department} 的部门。",
                f"There is no department {department}.",
                field="department",
            )
    if role is not None and role not in STAFF_ROLES:
        raise ValidationError(
            f"没有角色 {role}。可选：{', '.join(STAFF_ROLES)}。",
            f"There is no role {role}. Choose among {', '.join(STAFF_ROLES)}.",
            field="role",
        )
    return department, role


def _audit_target(department: str | None, role: str | None) -> str:
    return f"department:{department}" if department else f"role:{role}"


def add_route(
    conn: Connection,
    *,
    department: str | None = None,
    role: str | None = None,
    url: str,
    lang: str = "zh",
    kinds: Iterable[str] | None = None,
    label: str | None = None,
    actor: str,
    actor_id: int | None = None,
) -> int:
    """Validate everything, then insert the route and its audit row (in the caller's transaction); its id."""
    department, role = _check_target(conn, department, role)
    url = check_url(url)
    if lang not in LANGS:
        raise ValidationError("语言须为 zh 或 en。", "The language must be zh or en.", field="lang")
    chosen = _kinds(kinds)
    label = (label or "").strip() or None
    if label is not None and len(label) > LABEL_MAX:
        raise ValidationError(
            f"备注最多 {LABEL_MAX} 个字符。", f"The label has at most {LABEL_MAX} characters.", field="label"
        )
    same = conn.execute(
        text(
            "SELECT id FROM notify_route WHERE removed_at IS NULL AND url = :u "
            "AND department_code IS NOT DISTINCT FROM :d AND role IS NOT DISTINCT FROM :r"
        ),
        {"u": url, "d": department, "r": role},
    ).scalar()
    if same is not None:
        raise ValidationError(
            f"这个对象已有相同地址的路由 #{same}。",
            f"Route #{same} already sends to this URL for this target.",
            field="url",
        )
    rid = int(
        conn.execute(
            text(
                "INSERT INTO notify_route (department_code, role, url, lang, kinds, label, created_by) "
                "VALUES (:d, :r, :u, :l, :k, :label, :by) RETURNING id"
            ),
            {
                "d": department,
                "r": role,
                "u": url,
                "l": lang,
                "k": list(chosen) if chosen else None,
                "label": label,
                "by": actor[:64],
            },
        ).scalar_one()
    )
    target = _audit_target(department, role)
    record(
        conn,
        AUDIT_KIND,
        user_id=actor_id,
        username=actor if actor_id is not None else None,
        detail={"action": "add", "route": rid, "target": target, "url": mask_url(url), "by": actor},
    )
    log.info("notify route %s added by %s: %s → %s", rid, actor, target, mask_url(url))
    return rid


_LIST = """
    SELECT r.id, r.department_code, d.name_zh, d.name_en, r.role, r.url, r.lang, r.kinds, r.label, r.created_by,
           r.created_at
      FROM notify_route r LEFT JOIN department d ON d.code = r.department_code
     WHERE r.removed_at IS NULL
     ORDER BY r.department_code NULLS LAST, r.role, r.id
"""


def list_routes(conn: Connection) -> list[Route]:
    """The routes in use (not removed), their URLs masked."""
    return [
        Route(
            id=r.id,
            department_code=r.department_code,
            department_zh=r.name_zh,
            department_en=r.name_en,
            role=r.role,
            masked_url=mask_url(r.url),
            lang=r.lang,
            kinds=tuple(r.kinds) if r.kinds else None,
            label=r.label,
            created_by=r.created_by,
            created_at=r.created_at,
        )
        for r in conn.execute(text(_LIST))
    ]


def missing(route_id: int) -> NotFound:
    return NotFound(
        f"没有通知路由 #{route_id}。", f"There is no notification route #{route_id}.", field="route"
    )


def route_url(conn: Connection, route_id: int) -> str:
    """The route's URL itself (a secret: to deliver with, never to show)."""
    url = conn.execute(
        text("SELECT url FROM notify_route WHERE id = :i AND removed_at IS NULL"), {"i": route_id}
    ).scalar()
    if url is None:
        raise missing(route_id)
    return str(url)


def remove_route(conn: Connection, route_id: int, actor: str, *, actor_id: int | None = None) -> Route:
    """Set ``removed_at`` (the outbox keeps its history); the route as it was. Removing twice says so."""
    row = conn.execute(
        text("SELECT removed_at FROM notify_route WHERE id = :i FOR UPDATE"), {"i": route_id}
    ).one_or_none()
    if row is None:
        raise missing(route_id)
    if row.removed_at is not None:
        when = f"{row.removed_at.astimezone(TZ):%Y-%m-%d %H:%M}"
        raise ValidationError(
            f"通知路由 #{route_id} 已于 {when} 删除。",
            f"Notification route #{route_id} was already removed on {when}.",
            field="route",
        )
    route = next(r for r in list_routes(conn) if r.id == route_id)
    conn.execute(text("UPDATE notify_route SET removed_at = now() WHERE id = :i"), {"i": route_id})
    record(
        conn,
        AUDIT_KIND,
        user_id=actor_id,
        username=actor if actor_id is not None else None,
        detail={
            "action": "remove",
            "route": route_id,
            "target": _audit_target(route.department_code, route.role),
            "url": route.masked_url,
            "by": actor,
        },
    )
    log.info("notify route %s removed by %s", route_id, actor)
    return route
