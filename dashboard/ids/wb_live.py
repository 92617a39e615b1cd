"""Component IDs of the workbench's push (live updates), named once."""

DOORBELL = "wbp-doorbell"  # written by assets/gy_push.js: {"id": latest event id, "n": ring, "resync": bool}
CURSOR = "wbp-cursor"  # the last case_event id this page has caught up to
#: The refresh hook of the queue, the pins and the card: {"n", "cases": [ids in reach], "others": [ids changed
#: by someone else], "full": bool} (``full``: re-read everything, e.g. after a reconnection).
CHANGED = "wbp-changed"
SETTLED = "wbp-settled"  # the cursor handed to gy_push.js (a clientside callback needs an output)
SLOW = "wbp-slow"  # {"n", "at"}: bumped at most once a minute when anything changed (the report heatmap)
STATE = "wbp-conn-state"  # "connecting" | "open" | "offline", written by assets/gy_push.js
CONN = "wbp-conn"  # the connection indicator (also the marker gy_push.js looks for)
I18N = "wbp-i18n"  # the indicator's texts in both languages (the indicator works with the server away)
