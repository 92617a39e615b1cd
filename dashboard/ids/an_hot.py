"""Component IDs of the 热点区域 (hot spots) tab of /analysis and of the hot-spot line on the workbench's case card."""

LEVEL = "anh-level"
SUMMARY = "anh-summary"
METHOD = "anh-method"
NOTE = "anh-note"
MAP = "anh-map"
#: [[south, west], [north, east]] of the study region: the map fits it (assets/an_hot.js)
BOUNDS = "anh-bounds"
DISTRICTS = "anh-districts"
DISTRICT_LABELS = "anh-district-labels"
#: the significant units as GeoJSON, styled in the browser (``assets/an_hot.js``) by class
UNITS = "anh-units"
LEGEND = "anh-legend"
EMPTY = "anh-empty"
TABLE_TITLE = "anh-table-title"
TABLE = "anh-table"
EXPORT = "anh-export"
DOWNLOAD = "anh-download"
#: "以此热点发起专项整治": writes the ticked hot units to ``dashboard.ids.analysis.CAMPAIGN_SEED``
CAMPAIGN = "anh-campaign"
CAMPAIGN_MSG = "anh-campaign-msg"
#: pattern-matching type of the case card's hot-spot line: ``{"type": CARD_HOT, "case": case id}``
CARD_HOT = "anh-card-hot"
