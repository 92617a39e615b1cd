"""Component IDs of the audit viewer (/admin/audit), named once."""

PAGE = "aud-page"
REDIRECT = "aud-redirect"
TITLE = "aud-title"
INTRO = "aud-intro"
BODY = "aud-body"
PERSON = "aud-person"
KINDS = "aud-kinds"
RANGE = "aud-range"
APPLY = "aud-apply"
CSV = "aud-csv"
NOTICE = "aud-notice"
TABLE = "aud-table"
NEWER = "aud-newer"
OLDER = "aud-older"
PAGEINFO = "aud-pageinfo"
FILTER = "aud-filter"  # the applied filter (the page's values, checked)
STACK = "aud-stack"  # the cursors of the pages walked through: the last is where the shown page starts
NEXT = "aud-next"  # the cursor after the shown page (None: it is the last)
