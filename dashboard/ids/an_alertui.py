"""Component IDs of the 预警 (alerts) screens: the wall's alert panel and map layers, and the /analysis tab
预警 (value ``alerts``). Named once; ``assets/an_alertui.js`` and ``assets/wall.js`` use the same strings."""

# --- the wall (/wall) ---
WALL_PANEL = "ana-wall-panel"  # the 预警 panel above the department ranking
WALL_BELL = "ana-wall-bell"  # written by wall.js from the event stream's ``alerts`` event: {"n": counter}
WALL_AREAS = "ana-wall-areas"  # the alerts' areas, outlined
WALL_POINTS = "ana-wall-points"  # a marker at each alert's point (its explanation on click)

# --- the /analysis tab 预警 ---
TAB = "ana-tab"
STATE = "ana-state"  # which alerts: live / one state / all
EXPORT = "ana-export"
DOWNLOAD = "ana-download"
COUNT = "ana-count"
MAP = "ana-map"
DISTRICTS = "ana-districts"
LABELS = "ana-labels"
AREAS = "ana-areas"
POINTS = "ana-points"
LIST = "ana-list"  # the AG Grid of alerts
SELECTED = "ana-selected"  # {"id": alert id} chosen in the list or on the map
SHOWN = "ana-shown"  # {"id", "version"} of the alert the detail shows (what an action acts on)
REFRESH = "ana-refresh"  # bumped after an action: the list and the detail read again
DETAIL = "ana-detail"
ACTIONS = "ana-actions"
NOTE = "ana-note"
ACK = "ana-ack"
DISMISS = "ana-dismiss"
ESCALATE = "ana-escalate"
CAMPAIGN = "ana-campaign"
NOTICE = "ana-notice"

# --- both maps ---
AREAS_PANE = "ana-areas-pane"  # the Leaflet pane of the alert areas (under markers, above the heatmap)
