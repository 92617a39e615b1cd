"""Component IDs of the monthly report's block on /stats (月度考核通报: month, district, PDF and web page)."""

BLOCK = "rpt-block"
LABEL = "rpt-label"
MONTH = "rpt-month"
DISTRICT = "rpt-district"
PDF = "rpt-pdf"
WEB = "rpt-web"
