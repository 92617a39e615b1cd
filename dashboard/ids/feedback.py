"""Component IDs of the feedback inbox (/feedback), named once.

Dict IDs are pattern-matching types, one per feedback item shown: ``{"type": ANSWER, "id": feedback_id}``."""

PAGE = "fb-page"
REDIRECT = "fb-redirect"
TITLE = "fb-title"
BODY = "fb-body"
FILTER = "fb-filter"
SEARCH = "fb-search"
COUNTS = "fb-counts"
LIST = "fb-list"
NOTICE = "fb-notice"
REFRESH = "fb-refresh"
ANSWER = "fb-answer"  # pattern type: the answer's text area
SEND = "fb-send"  # pattern type: send the answer
SEND_CLOSE = "fb-send-close"  # pattern type: answer and mark handled
MARK = "fb-mark"  # pattern type: mark handled
CLICK = "fb-click"  # a real click on one of those buttons, relayed (dashboard/clicks.py)
