"""Component IDs of the analysis page (/analysis, 研判预警), named once. Each tab's own IDs live here too, under
its heading, so every ID keeps the ``an-`` prefix."""

PAGE = "an-page"
REDIRECT = "an-redirect"
TITLE = "an-title"
SCOPE = "an-scope"
BODY = "an-body"
TABS = "an-tabs"
TAB_LABEL = "an-tab-label"  # pattern type: {"type": TAB_LABEL, "tab": value}, a tab's label
# the filters every tab reads: period, category (大类 → 小类), district
DAYS = "an-days"
MAJOR = "an-major"
MINOR = "an-minor"
DISTRICT = "an-district"
#: {"days": int, "category": code | None, "district": code | None}: what every tab's callbacks take as input
FILTERS = "an-filters"
#: {"source": "hotspot" | "place" | "alert", "geometry": GeoJSON geometry (WGS-84), "category": code | None,
#: "district": code | None, "alert_id": int | None, "label": str}: a tab's "start a campaign from this" writes it,
#: the campaigns tab opens its form prefilled from it
CAMPAIGN_SEED = "an-campaign-seed"
#: {"id": alert id} from ``/analysis?alert=ID`` (a link in a notification or an alarm), or None: the alerts tab opens
#: that alert (read through the user's scope like a click)
LINKED_ALERT = "an-linked-alert"
