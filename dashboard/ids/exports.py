"""Component IDs of the workbench's 导出 (export) menu (``dashboard.components.exports``)."""

MENU = "exp-menu"  # the menu's box (button and panel)
OPEN = "exp-open"  # the 导出 Export button
PANEL = "exp-panel"  # the panel: row count, the three formats, the progress
TITLE = "exp-title"
COUNT = "exp-count"  # 将导出 N 件案件 (asked when the panel opens)
CONTACT = "exp-contact"  # whether the file holds personal data
LINKS = "exp-links"  # the three download links (hrefs carry the filter)
CSV = "exp-csv"
XLSX = "exp-xlsx"
GEOJSON = "exp-geojson"
PROGRESS = "exp-progress"  # the progress bar (<progress>) while a file downloads
STATUS = "exp-status"  # the progress's words (role="status")
STRINGS = "exp-strings"  # the words exports.js writes while it downloads, in the page's language
SINK = "exp-sink"  # output of the clientside callback handing those words to exports.js
