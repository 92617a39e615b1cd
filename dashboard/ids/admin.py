"""Component IDs of the admin page for notifications (/admin/notify), named once.

Dict IDs are pattern-matching types, one per row shown: ``{"type": TEST, "id": route_id}``,
``{"type": RESEND, "id": outbox_id}``."""

PAGE = "adm-page"
REDIRECT = "adm-redirect"
TITLE = "adm-title"
BODY = "adm-body"
# routes
ROUTES_TITLE = "adm-routes-title"
ROUTES = "adm-routes"
ROUTES_VERSION = "adm-routes-version"  # bumped after an add
REMOVED_VERSION = "adm-removed-version"  # bumped after a removal
ROUTE_NOTICE = "adm-route-notice"  # a removal's or a test message's outcome
TEST_NOTICE = "adm-test-notice"
CONFIRM = "adm-confirm"  # the removal's confirmation panel
CONFIRM_TEXT = "adm-confirm-text"
CONFIRM_YES = "adm-confirm-yes"
CONFIRM_NO = "adm-confirm-no"
PENDING_REMOVE = "adm-pending-remove"
TEST = "adm-test"  # pattern type: send a test message through this route
REMOVE = "adm-remove"  # pattern type: remove this route (asks first)
# the add form
FORM = "adm-form"
FORM_TITLE = "adm-form-title"
TARGET_KIND = "adm-target-kind"
DEPARTMENT = "adm-department"
ROLE = "adm-role"
URL = "adm-url"
LANG_PICK = "adm-lang"
KINDS = "adm-kinds"
KINDS_ERROR = "adm-kinds-error"
LABEL = "adm-label"
ADD = "adm-add"
ADD_NOTICE = "adm-add-notice"
# the outbox
OUTBOX_TITLE = "adm-outbox-title"
COUNTS = "adm-counts"
FAILED_ONLY = "adm-failed-only"
RELOAD = "adm-reload"
TICK = "adm-tick"
OUTBOX = "adm-outbox"
OUTBOX_VERSION = "adm-outbox-version"
OUTBOX_NOTICE = "adm-outbox-notice"
RESEND = "adm-resend"  # pattern type: send this failed message again
RESEND_CLICK = "adm-resend-click"  # a real click on a resend button, relayed (dashboard/clicks.py)
REMOVE_CLICK = "adm-remove-click"  # ... on a route's remove button
TEST_CLICK = "adm-test-click"  # ... on a route's test button
