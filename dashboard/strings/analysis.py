"""Strings of the analysis page's frame (/analysis, 研判预警): title, filters, scope line. Each tab keeps its own
strings in its own module."""

STRINGS: dict[str, tuple[str, str]] = {
    "an.nav": ("研判预警", "Analysis"),
    "an.title": ("研判预警", "Analysis and early warning"),
    "an.days": ("时段", "Period"),
    "an.days.n": ("近{n}天", "Last {n} days"),
    "an.major": ("大类", "Category"),
    "an.minor": ("小类", "Subcategory"),
    "an.all_major": ("全部类别", "All categories"),
    "an.all_minor": ("全部小类", "All subcategories"),
    "an.district": ("区县", "District"),
    "an.all_districts": ("全市", "Whole city"),
    "an.scope.city": ("范围：全市", "Scope: the whole city"),
    "an.scope.district": ("范围：{name}", "Scope: {name}"),
    "an.scope.department": ("范围：本部门负责的类别", "Scope: your department's categories"),
    "an.no_tabs": ("暂无分析内容。", "No analysis to show yet."),
}
