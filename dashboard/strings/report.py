"""Texts of the monthly assessment report (月度考核通报): its block on /stats and the refusals of its pages."""

STRINGS = {
    "rpt.label": ("月度通报", "Monthly report"),
    "rpt.month": ("考核月份", "Month"),
    "rpt.district": ("区县", "District"),
    "rpt.city": ("全市", "Whole city"),
    "rpt.pdf": ("下载月度通报 PDF", "Monthly report PDF"),
    "rpt.web": ("网页版", "Web page"),
    "rpt.refused": ("无法生成月度通报", "The monthly report cannot be made"),
    "rpt.back": ("返回考核统计", "Back to the evaluation"),
    "rpt.failed": ("生成月度通报时出错，请稍后再试。", "The monthly report failed; please try again later."),
}
