"""The wall's map on the 1M-case city (issue 5): heatmap and pins per viewport (query functions and the Dash
callback endpoint over HTTP) at city and street zoom, the heatmap against the naive way side by side, the
department response panel, /wall's first paint with data and report → pin in headless Chromium.

The browser figures need committed reports: they run against a copy of the bench database (``<db>_wallpush``,
created from it as a template and dropped afterwards), so the bench database keeps its case count.

The figures are built in single-purpose siblings (``python -m bench`` runs this module's ``run``; the siblings
have none):

- :mod:`bench.map_common` the views measured and the helpers the others share;
- :mod:`bench.map_queries` heatmap and pins as query functions, the heatmap against the naive way;
- :mod:`bench.map_server` the database copy and the app server on it;
- :mod:`bench.map_http` the map's callbacks over HTTP;
- :mod:`bench.map_browser` /wall's first paint and report → pin in headless Chromium.
"""

from __future__ import annotations

import sys

from bench.common import BenchContext, Figure
from bench.map_browser import browser_figures
from bench.map_http import http_figures
from bench.map_queries import query_figures
from bench.map_server import app_server, database_copy
from db.engine import make_engine


def run(ctx: BenchContext) -> list[Figure]:
    figures = query_figures(ctx.engine)
    with database_copy(ctx) as url, app_server(url, ctx.media_dir) as base:
        figures.extend(http_figures(base))
        figures.extend(browser_figures(base, url))
    return figures


if __name__ == "__main__":
    # development: python -m bench.map DB_URL [APP_BASE_URL]: the query figures, and with a running app on a
    # database you may add reports to, the HTTP and browser figures too
    from rich import print as rprint

    eng = make_engine(sys.argv[1])
    for f in (
        query_figures(eng)
        if len(sys.argv) == 2
        else [*http_figures(sys.argv[2]), *browser_figures(sys.argv[2], sys.argv[1])]
    ):
        rprint(f)
