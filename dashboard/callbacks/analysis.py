"""/analysis frame: the sign-in gate, the scope line, the filter selects in the UI language and the filters store
every tab reads. :func:`user_scope` is how a tab's callback learns whose cases it may read."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback
from dash import no_update as nothing

from dashboard import auth, ids, runtime
from dashboard.callbacks.workbench import reference
from dashboard.components.analysis_tabs import PERIODS, TABS
from dashboard.components.heat_filter import category_options
from dashboard.i18n import t
from dashboard.ids import analysis as aid
from db.accounts import StaffIdentity
from db.queries import wb_options
from ops.analysis.scope import AnalysisScope, analysis_scope
from ops.policy import Screen, reach, roles_for

ROLES = roles_for(Screen.ANALYSIS)
LOGIN_URL = "/login?next=/analysis"


async def user_scope(user: StaffIdentity) -> AnalysisScope:
    """The cases ``user`` reads on /analysis (every tab's callback asks this, never the browser)."""
    return await runtime.aview(lambda c: analysis_scope(c, user))


def _name(row: Any, lang: str) -> str:
    return str(row.name_en if lang == "en" else row.name_zh)


@callback(
    Output(aid.REDIRECT, "href"),
    Output(aid.BODY, "hidden"),
    Output(aid.TITLE, "children"),
    Input(aid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    if user is None:
        return LOGIN_URL, True, t("an.title", lang)
    return None, reach(user.role, Screen.ANALYSIS) is None, t("an.title", lang)


@callback(
    Output(aid.SCOPE, "children"),
    Output(aid.DISTRICT, "data"),
    Output(aid.DISTRICT, "value"),
    Output(aid.DISTRICT, "disabled"),
    Output(aid.DISTRICT, "label"),
    Output(aid.DISTRICT, "placeholder"),
    Output(aid.MAJOR, "data"),
    Output(aid.MAJOR, "label"),
    Output(aid.MAJOR, "placeholder"),
    Output(aid.DAYS, "data"),
    Input(ids.LANG, "data"),
    State(aid.DISTRICT, "value"),
)
@auth.require_user(*ROLES)
async def frame(lang: str, current: str | None, *, user: StaffIdentity) -> tuple[Any, ...]:
    districts = [d for d in await reference("districts", wb_options.districts) if d.has_grid]
    names = {d.code: _name(d, lang) for d in districts}
    fixed = user.role == "officer"
    if fixed:
        scope = t("an.scope.district", lang, name=names.get(user.district_code or "", "—"))
    elif user.role == "department":
        scope = t("an.scope.department", lang)
    else:
        scope = t("an.scope.city", lang)
    district = user.district_code if fixed else current
    majors, _ = category_options(await reference("categories", wb_options.categories), lang)
    return (
        scope,
        [{"value": code, "label": name} for code, name in names.items()],
        nothing if district == current else district,
        fixed,
        t("an.district", lang),
        t("an.all_districts", lang),
        majors,
        t("an.major", lang),
        t("an.all_major", lang),
        [{"value": str(n), "label": t("an.days.n", lang, n=n)} for n in sorted(PERIODS)],
    )


@callback(
    Output(aid.MINOR, "data"),
    Output(aid.MINOR, "value"),
    Output(aid.MINOR, "disabled"),
    Output(aid.MINOR, "label"),
    Output(aid.MINOR, "placeholder"),
    Input(aid.MAJOR, "value"),
    Input(ids.LANG, "data"),
    State(aid.MINOR, "value"),
)
@auth.require_user(*ROLES)
async def minors(
    major: str | None, lang: str, current: str | None, *, user: StaffIdentity
) -> tuple[Any, ...]:
    _, options = category_options(await reference("categories", wb_options.categories), lang, major)
    keep = current if any(o["value"] == current for o in options) else None
    return (
        options,
        nothing if keep == current else keep,
        not major,
        t("an.minor", lang),
        t("an.all_minor", lang),
    )


@callback(
    Output(aid.FILTERS, "data"),
    Input(aid.DAYS, "value"),
    Input(aid.MAJOR, "value"),
    Input(aid.MINOR, "value"),
    Input(aid.DISTRICT, "value"),
)
def filters(days: str | None, major: str | None, minor: str | None, district: str | None) -> dict[str, Any]:
    """The filters as one store (validated again on the server by ``ops.analysis.filters.parse_filters``)."""
    try:
        n = int(days or 30)
    except ValueError:
        n = 30
    return {"days": n, "category": minor or major or None, "district": district or None}


@callback(
    Output({"type": aid.TAB_LABEL, "tab": ALL}, "children"),
    Input(ids.LANG, "data"),
    State({"type": aid.TAB_LABEL, "tab": ALL}, "id"),
)
def tab_labels(lang: str, shown: list[dict[str, str]]) -> list[str]:
    """Each tab's label in the UI language."""
    keys = {tab.value: tab.label for tab in TABS}
    return [t(keys.get(i["tab"], "an.title"), lang) for i in shown]
