"""Component ids of case replay (案件回放) on the workbench."""

OPEN = "rp-open"  # the button over the map that shows / hides the replay panel
PANEL = "rp-panel"
PANEL_TITLE = "rp-panel-title"
MODE = "rp-mode"  # "case" | "day"
CASE = "rp-case"  # ticket or case id
DISTRICT = "rp-district"
DATE = "rp-date"
LOAD = "rp-load"
MSG = "rp-msg"
DATA = "rp-data"  # the frames, cases and texts (assets/replay.js plays them)
READY = "rp-ready"  # written by the clientside loader
LAYER = "rp-layer"  # the replay's markers on the workbench map
CONTROLS = "rp-controls"
PLAY = "rp-play"
SPEEDS = "rp-speeds"
SCRUB = "rp-scrub"  # a native range input, made and driven by assets/replay.js
CLOCK = "rp-clock"
LABEL = "rp-label"  # the current event: time, action, actor (written by assets/replay.js)
LEGEND = "rp-legend"  # the status colours of the markers (written by assets/replay.js)
