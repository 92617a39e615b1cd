"""Component ids of the heatmap's category filter (大类 → 小类) on the wall and the workbench's heat layer."""

# wall: the selects beside the time window, and the chosen code (a 小类, else a 大类, else none)
WALL_MAJOR = "heat-wall-major"
WALL_MINOR = "heat-wall-minor"
WALL_CATEGORY = "heat-wall-category"

# workbench: a heat layer under the pins, its switch, window, category selects and legend
WB_HEAT = "heat-wb"
WB_HEAT_GEO = "heat-wb-geo"  # compact geometry of the drawn squares (the browser makes GeoJSON of it)
WB_HEAT_ON = "heat-wb-on"
WB_HEAT_WINDOW = "heat-wb-window"
WB_HEAT_MAJOR = "heat-wb-major"
WB_HEAT_MINOR = "heat-wb-minor"
WB_HEAT_CATEGORY = "heat-wb-category"
WB_HEAT_LEGEND = "heat-wb-legend"
WB_HEAT_PANEL = "heat-wb-panel"
