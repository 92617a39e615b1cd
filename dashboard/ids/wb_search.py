"""Component IDs of the workbench's case search (the search box, its results list and their pins on the map)."""

BOX = "wbs-box"
INPUT = "wbs-input"
SPINNER = "wbs-spinner"
STATUS = "wbs-status"
LIST = "wbs-list"
RESULTS = "wbs-results"  # a Store: the hits of the last search, drawn by wb_search.js
DRAWN = "wbs-drawn"
PINS = "wbs-pins"  # the hits on the map, highlighted over the case pins
PICKED = "wbs-picked"
PANE = "wbs-pane"  # a map pane above the case pins and their clusters
QUERY = "wbs-query"  # a Store: the box's words once typing pauses (debounced in wb_search.js)
