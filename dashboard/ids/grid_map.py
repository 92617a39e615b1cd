"""Component IDs of the grid map (/grid), named once."""

GRID_MAP = "grid-map"
GRID_DISTRICTS = "grid-districts"
GRID_CELLS = "grid-cells"
GRID_STATUS = "grid-status"
GRID_VIEW = "grid-view"
GRID_LABELS = "grid-district-labels"
