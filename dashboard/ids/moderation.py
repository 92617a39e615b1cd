"""Component IDs of /moderation, named once; ``public.js`` (the service-point map) uses some of the same strings."""

PAGE = "mod-page"
REDIRECT = "mod-redirect"
NOTICE = "mod-notice"
REFRESH = "mod-refresh"
REASON = "mod-reason"
POST_STATE = "mod-post-state"
POST_LIST = "mod-post-list"
POST_ACT = "mod-post-act"
PHOTO_STATE = "mod-photo-state"
PHOTO_LIST = "mod-photo-list"
PHOTO_ACT = "mod-photo-act"
ACT_CLICK = "mod-act-click"  # a real click on a post's or photo's button, relayed (dashboard/clicks.py)
PT_MAP = "mod-pt-map"
PT_POINTS = "mod-pt-points"
PT_MARKER = "mod-pt-marker"
PT_SEL = "mod-pt-sel"
PT_POS = "mod-pt-pos"
PT_TITLE = "mod-pt-title"
PT_POS_TEXT = "mod-pt-pos-text"
PT_KIND = "mod-pt-kind"
PT_FIELDS = {
    "name_zh": "mod-pt-name-zh",
    "name_en": "mod-pt-name-en",
    "address": "mod-pt-address",
    "open_hours": "mod-pt-hours",
}
PT_SAVE = "mod-pt-save"
PT_CLEAR = "mod-pt-clear"
PT_RETIRE = "mod-pt-retire"
LOG_TABLE = "mod-log"
LABELS = "mod-labels"
TITLE = "mod-title"
TABS = "mod-tabs"
PT_HINT = "mod-pt-hint"


def tab_id(key: str) -> str:
    return f"mod-tab-{key}"
