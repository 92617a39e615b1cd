"""Component IDs of /stats, named once (page, callbacks and browser tests use these)."""

PAGE = "stats-page"
REDIRECT = "stats-redirect"
TITLE = "stats-title"
SCOPE = "stats-scope"
RANGE = "stats-range"
DIM = "stats-dim"
EXPORT_CSV = "stats-export-csv"
EXPORT_XLSX = "stats-export-xlsx"
STATUS = "stats-status"
SUMMARY = "stats-summary"
TABLE = "stats-table"
TABLE_WRAP = "stats-table-wrap"
HINT = "stats-hint"
DATA = "stats-data"
FORMULAS = "stats-formulas"

DRILL = "stats-drill"
DRILL_TITLE = "stats-drill-title"
DRILL_CLOSE = "stats-drill-close"
DRILL_MAP = "stats-drill-map"
DRILL_DISTRICTS = "stats-drill-districts"
DRILL_POINTS = "stats-drill-points"
DRILL_LIST = "stats-drill-list"

TREND_TITLE = "stats-trend-title"
TREND_OF = "stats-trend-of"
TREND_VOLUME = "stats-trend-volume"
TREND_RATES = "stats-trend-rates"

QUICK_PICKS = ("this_month", "last_month", "d30", "d90")


def quick(name: str) -> str:
    """The quick-pick button of ``name`` (this_month, last_month, d30, d90)."""
    return f"stats-quick-{name}"


DRILL_LABELS = "stats-drill-labels"
