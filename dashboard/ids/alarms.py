"""Component IDs of the alarm banner (报警: 突发 / 督办 / 预警 until a shift lead acknowledges), placed on the wall
and the workbench (one banner per page). ``assets/alarms.js`` uses the same strings."""

ROOT = "alm-root"  # the banner; its class says whether the reader may acknowledge (alm-lead) and if it rings
WHERE = "alm-where"  # "wall" | "workbench": where the banner is
LIST = "alm-list"  # the open alarms
COUNT = "alm-count"  # "报警 3"
DATA = "alm-data"  # the open alarms for the browser (chime, notifications): {"open": [...], "texts": {...}}
BELL = "alm-bell"  # written by alarms.js on a pushed ``alarm`` event (window "gy-push"): re-read now
POLL = "alm-poll"  # the safety-net re-read (GUIYANG_ALARM_REFRESH_S)
REFRESH = "alm-refresh"  # bumped after an acknowledgement
NOTE = "alm-note"  # the lead's optional note for the next acknowledgement
NOTICE = "alm-notice"  # what the last acknowledgement did (or why not)
HISTORY = "alm-history"  # the latest acknowledged alarms (leads)
HISTORY_TITLE = "alm-history-title"  # its summary line (最近已确认)
AUDIO = "alm-audio"  # the chime (assets/sounds/alarm-chime.wav)
ENABLE = "alm-enable"  # 点击启用提示音: the user gesture browsers want before a page may play sound
SOUND = "alm-sound"  # the clientside callback's output (what the chime loop is doing)
ACK = "alm-ack"  # pattern-matching type of an alarm's 确认 button: {"type": ACK, "id": alarm id}
CLICK = "alm-click"  # a real click on a 确认 button, relayed (dashboard/clicks.py)
