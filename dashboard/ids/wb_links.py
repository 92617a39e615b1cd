"""Component IDs of the workbench's deep links, paging, URL state and keyboard shortcuts (``/workbench``)."""

LINK = "wbl-link"  # the case the address asked for: {"ticket": "GY…"} (from ?case=)
MESSAGE = "wbl-message"  # why that case does not open (not found / outside the reader's reach)
PAGE = "wbl-page"  # the queue's page: {"offset": n}
PAGER = "wbl-pager"  # the queue's page controls, drawn by wb_links.js from the queue's data
URL_SYNC = "wbl-url-sync"  # the output of the clientside callback that writes the address bar
KEYS = "wbl-keys"  # the keyboard shortcuts' overlay (?)
KEYS_BODY = "wbl-keys-body"
KEYS_CLOSE = "wbl-keys-close"
KEYS_OPEN = "wbl-keys-open"  # the "?" button beside the queue's count
KEYS_TITLE = "wbl-keys-title"
PAGER_DRAWN = "wbl-pager-drawn"  # the output of the clientside callback that draws the page controls
