"""Component IDs of the 多发地点 tab of /analysis (``anp-``)."""

PANEL = "anp-panel"
MAP = "anp-map"
LABELS = "anp-labels"  # district names on the map
PLACES = "anp-places"  # the places as circles (GeoJSON)
CASES = "anp-cases"  # the chosen place's cases (GeoJSON)
SUMMARY = "anp-summary"
TABLE = "anp-table"
ROW = "anp-row"  # pattern-matching {"type": ROW, "key": place key}: a row of the table
SELECTED = "anp-selected"  # store: the chosen place's key
ROW_CLICK = "anp-row-click"  # a real click on a row, relayed (dashboard/clicks.py)
DETAIL = "anp-detail"  # the chosen place's cases, listed
EXPORT = "anp-export"
DOWNLOAD = "anp-download"
CAMPAIGN = "anp-campaign"
CAMPAIGN_NOTE = "anp-campaign-note"
