"""Component IDs, named once."""

LANG = "gy-lang"
LANG_SWITCH = "gy-lang-switch"
URL = "gy-url"
HEADER = "gy-header"
NAV = "gy-nav"
USER_MENU = "gy-user"

GRID_MAP = "grid-map"
GRID_DISTRICTS = "grid-districts"
GRID_CELLS = "grid-cells"
GRID_STATUS = "grid-status"
GRID_VIEW = "grid-view"
