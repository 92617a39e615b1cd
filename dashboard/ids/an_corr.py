"""Component IDs of the analysis page's 时间峰值 (peaks) and 关联分析 (correlations) tabs."""

# 时间峰值
PEAKS_STATUS = "ank-peaks-status"
PEAKS_GRAPH = "ank-peaks-graph"
PEAKS_TEXT = "ank-peaks-text"
PEAKS_EXPLAIN = "ank-peaks-explain"
PEAKS_ROWS = "ank-peaks-rows"  # the peak rows shown, for the CSV
PEAKS_CSV_BUTTON = "ank-peaks-csv-button"
PEAKS_CSV = "ank-peaks-csv"
# 关联分析
CORR_WINDOW = "ank-corr-window"
CORR_STATUS = "ank-corr-status"
CORR_TEXT = "ank-corr-text"
CORR_EXPLAIN = "ank-corr-explain"
CORR_TABLE = "ank-corr-table"
CORR_MAP = "ank-corr-map"
CORR_PLACES = "ank-corr-places"
CORR_LABELS = "ank-corr-labels"
CORR_ROWS = "ank-corr-rows"
CORR_CSV_BUTTON = "ank-corr-csv-button"
CORR_CSV = "ank-corr-csv"
