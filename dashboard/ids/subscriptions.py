"""Component IDs of /subscriptions (区域订阅), named once.

Dict IDs are pattern-matching types, one per subscription listed: ``{"type": TEST, "id": subscription_id}``."""

PAGE = "sub-page"
REDIRECT = "sub-redirect"
TITLE = "sub-title"
INTRO = "sub-intro"
BODY = "sub-body"
# the map: district outlines, the drawing tool, the circle's preview, the user's subscriptions
MAP = "sub-map"
DISTRICTS = "sub-districts"
EDIT = "sub-edit"
PREVIEW = "sub-preview"
MINE = "sub-mine"
CENTER = "sub-center"  # dcc.Store: [lat, lon] of the circle's centre, chosen by a click
MAP_HINT = "sub-map-hint"
# the form (drawn by the gate in the user's language)
FORM = "sub-form"
FORM_TITLE = "sub-form-title"
NAME = "sub-name"
MODE = "sub-mode"
RADIUS = "sub-radius"
AREA_ERROR = "sub-area-error"
CATEGORIES = "sub-categories"
EVENTS = "sub-events"
CHANNEL_KIND = "sub-channel-kind"
CHANNEL = "sub-channel"
MSG_LANG = "sub-msg-lang"
SAVE = "sub-save"
FORM_NOTICE = "sub-form-notice"
# the list
LIST_TITLE = "sub-list-title"
LIST = "sub-list"
LIST_NOTICE = "sub-list-notice"
VERSION = "sub-version"  # bumped after every change
TEST = "sub-test"  # pattern type: send a test message through this subscription's channel
TOGGLE = "sub-toggle"  # pattern type: pause or resume
REMOVE = "sub-remove"  # pattern type: remove (asks first)
# real clicks on those buttons, relayed (dashboard/clicks.py)
TEST_CLICK = "sub-test-click"
TOGGLE_CLICK = "sub-toggle-click"
REMOVE_CLICK = "sub-remove-click"
CONFIRM = "sub-confirm"
CONFIRM_TEXT = "sub-confirm-text"
CONFIRM_YES = "sub-confirm-yes"
CONFIRM_NO = "sub-confirm-no"
PENDING = "sub-pending"
