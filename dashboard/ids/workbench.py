"""Component IDs of the workbench (/workbench), named once.

Dict IDs (``BTN``, ``FIELD``, ``UPLOAD``, ``DUP``) are pattern-matching types: the inputs of the case card's action
forms and its duplicates, which exist only while the card shows them.
"""

ROOT = "wb-root"
REDIRECT = "wb-redirect"
GATE = "wb-gate"
MAP = "wb-map"
DISTRICTS = "wb-districts"
CELLS = "wb-cells"
PINS = "wb-pins"
PINS_META = "wb-pins-meta"
HIGHLIGHT = "wb-highlight"  # a layer group holding the ring around the selected case
VIEW = "wb-view"
QUEUE_VIEW = "wb-queue-view"  # the view, passed on only when the queue follows the map (or is not drawn yet)
MAP_STATUS = "wb-map-status"
SCOPE = "wb-scope"
STATUS_LEGEND = "wb-legend"

F_DISTRICT = "wb-f-district"
F_MAJOR = "wb-f-major"
F_CATEGORY = "wb-f-category"
F_STATUS = "wb-f-status"
F_LIGHT = "wb-f-light"
F_WINDOW = "wb-f-window"
F_SOURCE = "wb-f-source"
F_IN_VIEW = "wb-f-in-view"
F_LIGHT_LABEL = "wb-f-light-label"
F_FOCUS = "wb-f-focus"  # the queue's "show all / only mine to act on" (officers) or "pending only" (leads)

QUEUE_TITLE = "wb-queue-title"
QUEUE_COUNT = "wb-queue-count"
QUEUE = "wb-queue"  # drawn by workbench.js from QUEUE_DATA; its rows are not Dash components
QUEUE_DATA = "wb-queue-data"
QUEUE_DRAWN = "wb-queue-drawn"
QUEUE_MARKED = "wb-queue-marked"

SELECTED = "wb-selected"
REFRESH = "wb-refresh"
#: the shown card is stale: someone else changed it (callbacks/workbench_card.py live_card)
CARD_LIVE = "wb-card-live"
DRAFTS = "wb-drafts"
CARD = "wb-card"
CARD_CLOSE = "wb-card-close"
CARD_NOTICE = "wb-card-notice"
CARD_INFO = "wb-card-info"
CARD_ACTIONS = "wb-card-actions"
CARD_MORE = "wb-card-more"
CARD_STATE = "wb-card-state"
DUP = "wb-dup"  # pattern type: {"type": DUP, "id": case_id}: open a duplicate's card
BTN = "wb-btn"  # pattern type: {"type": BTN, "a": action}
BTN_CLICK = "wb-btn-click"  # a real click on an action button, relayed (dashboard/clicks.py)
FIELD = "wb-field"  # pattern type: {"type": FIELD, "a": action, "f": field}
CHOOSE = "wb-choose"  # pattern type: {"type": CHOOSE, "a": action}: opens that action's form (and only it)
CANCEL = "wb-cancel"  # pattern type: {"type": CANCEL, "a": action}: closes it
UPLOAD = "wb-upload"  # pattern type: {"type": UPLOAD, "a": action}
UPLOAD_LIST = "wb-upload-list"  # pattern type: {"type": UPLOAD_LIST, "a": action}
#: Pattern type of the action forms' other texts (title, photo label, "no actions"): ``{"type": FORM_TEXT, "k": key}``.
FORM_TEXT = "wb-form-text"
#: Name of the Leaflet pane under the pins (districts and cells); its element has the class ``leaflet-wb-base-pane``.
BASE_PANE = "wb-base"
DISTRICT_LABELS = "wb-district-labels"
