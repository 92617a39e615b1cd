"""Component ids of the heatmap's category filter (大类 → 小类) on the wall and the workbench's heat layer."""

# wall: the selects beside the time window, and the chosen code (a 小类, else a 大类, else none)
WALL_MAJOR = "wall-heat-major"
WALL_MINOR = "wall-heat-minor"
WALL_CATEGORY = "wall-heat-category"

# workbench: a heat layer under the pins, its switch, window, category selects and legend
WB_HEAT = "wb-heat"
WB_HEAT_GEO = "wb-heat-geo"  # compact geometry of the drawn squares (the browser makes GeoJSON of it)
WB_HEAT_ON = "wb-heat-on"
WB_HEAT_WINDOW = "wb-heat-window"
WB_HEAT_MAJOR = "wb-heat-major"
WB_HEAT_MINOR = "wb-heat-minor"
WB_HEAT_CATEGORY = "wb-heat-category"
WB_HEAT_LEGEND = "wb-heat-legend"
WB_HEAT_PANEL = "wb-heat-panel"
