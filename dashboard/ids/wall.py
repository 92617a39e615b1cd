"""Component IDs of the wall screen (/wall), named once; ``wall.js`` uses the same strings."""

ROOT = "wall-root"
SIGNIN = "wall-signin"  # the root when nobody is signed in
REDIRECT = "wall-redirect"  # to the sign-in page when the session is gone
MAP = "wall-map"
DISTRICTS = "wall-districts"
DISTRICT_GEO = "wall-district-geo"  # compact outlines (the browser makes GeoJSON of them)
LABELS = "wall-labels"
LAND = "wall-land"  # district fills under the heatmap (the basemap drawn from our own data)
HEAT = "wall-heat"
PINS = "wall-pins"  # the clustered base layer of open cases in the viewport
BUBBLES = "wall-bubbles"  # zoomed out: open cases grouped on the server
URGENT_PINS = "wall-urgent-pins"  # escalated open cases: never clustered, pulsing
LIVE_PINS = "wall-live-pins"  # the small "new since" layer
PRESET_LABEL = "wall-preset-label"

# configuration and timers
CONFIG = "wall-config"  # {rotate, fallback, window, scale} from the URL
PRESETS = "wall-presets"
ROTATE = "wall-rotate"
FALLBACK = "wall-fallback"
CLOCK_TICK = "wall-clock-tick"
CLOCK = "wall-clock"
I18N = "wall-i18n"

# state
VIEW = "wall-view"  # {bounds, zoom} of the map
HEAT_GEO = "wall-heat-geo"  # compact geometry of the heat layer (the browser makes GeoJSON of it)
HEAT_LEVEL = "wall-heat-level"  # {level, bbox, sig} of the geometry drawn (sig: a hash of its keys)
HEAT_COUNTS = "wall-heat-counts"  # {level, window, counts, breaks}
BASE = "wall-base"  # columnar open pins of the viewport
BASE_AS_OF = "wall-base-as-of"  # last event id the base snapshot includes
BASE_RELOAD = "wall-base-reload"
DOORBELL = "wall-doorbell"  # written by wall.js from the event stream
KPI_BELL = (
    "wall-kpi-bell"  # written by wall.js when a catch-up brought something new: the KPI tiles read again
)
CONN_STATE = "wall-conn-state"  # written by wall.js: open / connecting / offline
CONN = "wall-conn"
SETTLED = "wall-settled"  # written by the browser when a catch-up has landed (the doorbell may ring again)
CURSOR = (
    "wall-cursor"  # the snapshot this screen's last catch-up was read in (db/snapshots.py; None at first)
)
LANDED = "wall-landed"  # a catch-up that found nothing new has answered (the doorbell may ring again)
LIVE = "wall-live"  # {case id: pin feature or None (gone)} changed after the base snapshot
DELTA = "wall-delta"  # what a catch-up brought ({pins, gone} or {reset}), merged into LIVE in the browser
TICKER_STORE = "wall-ticker-store"

# texts
TITLE = "wall-title"
SUBTITLE = "wall-subtitle"
HEAT_TITLE = "wall-heat-title"
TICKER_TITLE = "wall-ticker-title"

# panels
WINDOW = "wall-window"
LEGEND = "wall-legend"
PIN_LEGEND = "wall-pin-legend"
PIN_CAPPED = "wall-pin-capped"  # the note when a viewport holds more open cases than are drawn
KPIS = "wall-kpis"
PANEL = "wall-panel"
TICKER = "wall-ticker"
