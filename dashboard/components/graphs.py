"""Every plotly chart of the app goes through here (``tests/dashboard/test_desk_lang.py`` holds that no page
makes a ``dcc.Graph`` on its own): its ``config`` follows the UI language, so plotly.js's own texts (the mode bar,
month and day names of date axes) are in Chinese with the zh-CN locale the app serves
(``assets/plotly-locale-zh-cn.js``, built by ``make plotly-locale``), and in English otherwise."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback, dcc

from dashboard import ids as app_ids

PLOTLY_LOCALES = {"zh": "zh-CN", "en": "en"}

#: zh date axes: 9月8日 rather than plotly's "%b %-d" (which the locale makes "九 8").
ZH_DATE_TICKS = [
    {"dtickrange": [None, 86_400_000], "value": "%-m月%-d日 %H:%M"},
    {"dtickrange": [86_400_000, "M1"], "value": "%-m月%-d日"},
    {"dtickrange": ["M1", "M12"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
]


def graph_config(lang: str) -> dict[str, Any]:
    return {"displaylogo": False, "locale": PLOTLY_LOCALES.get(lang, "en")}


def date_axis(lang: str) -> dict[str, Any]:
    """The ``xaxis`` settings of a date axis in ``lang`` (zh: Chinese month and day ticks)."""
    return {"tickformatstops": ZH_DATE_TICKS, "hoverformat": "%Y年%-m月%-d日"} if lang == "zh" else {}


def graph(graph_id: str, lang: str = "zh", **kwargs: Any) -> dcc.Graph:
    """A ``dcc.Graph`` in ``lang``; pair it with :func:`follow_language` for the graphs of a page."""
    config: Any = graph_config(lang)  # dcc.Graph.Config, a TypedDict of every plotly option
    return dcc.Graph(id=graph_id, config=config, **kwargs)


def follow_language(*graph_ids: str) -> None:
    """Register the callback that sets the ``config`` of ``graph_ids`` to the UI language."""

    @callback(*[Output(i, "config") for i in graph_ids], Input(app_ids.LANG, "data"))
    def graph_locale(lang: str) -> Any:
        config = graph_config(lang)
        return config if len(graph_ids) == 1 else tuple(config for _ in graph_ids)
