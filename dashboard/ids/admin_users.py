"""Component IDs of Administration → Users (/admin), named once.

A row's action button is a pattern-matching ID ``{"type": ACT, "action": "edit"|"deactivate"|"reactivate"|
"reset", "name": username}``."""

PAGE = "usr-page"
REDIRECT = "usr-redirect"
TITLE = "usr-title"
BODY = "usr-body"
SEARCH = "usr-search"
SHOW_INACTIVE = "usr-show-inactive"
COUNT = "usr-count"
TABLE = "usr-table"
ACT = "usr-act"  # pattern type: a row's action
ACT_CLICK = "usr-act-click"  # a real click on a row's action, relayed (dashboard/clicks.py)
VERSION = "usr-version"  # bumped after every change: the table re-reads
NOTICE = "usr-notice"  # the outcome of the last act
OTP = "usr-otp"  # the one-time password, shown once
OTP_VALUE = "usr-otp-value"
# the confirmation of a deactivation or a reset
CONFIRM = "usr-confirm"
CONFIRM_TEXT = "usr-confirm-text"
CONFIRM_YES = "usr-confirm-yes"
CONFIRM_NO = "usr-confirm-no"
PENDING = "usr-pending"
# the add / edit form
EDITING = "usr-editing"  # the user name being edited, or None: the form adds
FORM = "usr-form"
FORM_TITLE = "usr-form-title"
USERNAME = "usr-username"
DISPLAY_NAME = "usr-display-name"
ROLE = "usr-role"
DISTRICT = "usr-district"
DEPARTMENT = "usr-department"
PASSWORD = "usr-password"  # nosec B105 # a component id, not a password
RULES = "usr-rules"
SUBMIT = "usr-submit"
CANCEL = "usr-cancel"
FORM_NOTICE = "usr-form-notice"
