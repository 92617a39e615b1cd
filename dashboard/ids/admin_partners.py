"""Component IDs of the data-sharing keys page (/admin/partners), named once.

``{"type": REVOKE, "id": key_id}`` is the pattern-matching type of each key's revoke button."""

PAGE = "prt-page"
REDIRECT = "prt-redirect"
TITLE = "prt-title"
INTRO = "prt-intro"
BODY = "prt-body"
KEYS_TITLE = "prt-keys-title"
KEYS = "prt-keys"
VERSION = "prt-version"  # bumped after a create or a revoke
NOTICE = "prt-notice"  # a revoke's outcome
CONFIRM = "prt-confirm"
CONFIRM_TEXT = "prt-confirm-text"
CONFIRM_YES = "prt-confirm-yes"
CONFIRM_NO = "prt-confirm-no"
PENDING = "prt-pending"
REVOKE = "prt-revoke"
REVOKE_CLICK = "prt-revoke-click"  # a real click on a revoke button, relayed (dashboard/clicks.py)
FORM = "prt-form"
FORM_TITLE = "prt-form-title"
NAME = "prt-name"
CATEGORIES = "prt-categories"
ALL_CATEGORIES = "prt-all-categories"
DISTRICTS = "prt-districts"
RATE = "prt-rate"
CREATE = "prt-create"
CREATED = "prt-created"  # the new key, shown once
NEW_KEY = "prt-new-key"
