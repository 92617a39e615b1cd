"""Strings of the /analysis tab 专项整治 (campaigns and their effect)."""

STRINGS: dict[str, tuple[str, str]] = {
    "an.campaign.tab": ("专项整治", "Campaigns"),
    "an.campaign.list": ("专项整治行动", "Campaigns"),
    "an.campaign.new": ("新建专项整治", "New campaign"),
    "an.campaign.csv": ("导出 CSV", "Export CSV"),
    "an.campaign.none": ("暂无专项整治。", "No campaigns yet."),
    "an.campaign.col.name": ("名称", "Name"),
    "an.campaign.col.dates": ("时间", "Dates"),
    "an.campaign.col.area": ("区域", "Area"),
    "an.campaign.col.categories": ("类别", "Categories"),
    "an.campaign.col.effect": ("效果", "Effect"),
    "an.campaign.view": ("查看", "View"),
    "an.campaign.view_label": ("查看专项整治：{name}", "View campaign: {name}"),
    "an.campaign.dates": ("{start} 至 {end}", "{start} to {end}"),
    "an.campaign.ended": ("（已提前结束）", " (ended early)"),
    "an.campaign.area": ("{districts}，{km2} 平方公里", "{districts}, {km2} km²"),
    "an.campaign.source.drawn": ("地图绘制", "drawn on the map"),
    "an.campaign.source.districts": ("所选区县", "chosen districts"),
    "an.campaign.source.hotspot": ("来自热点区域", "from a hot spot"),
    "an.campaign.source.place": ("来自多发地点", "from a multi-occurrence place"),
    "an.campaign.source.alert": ("来自预警", "from an alert"),
    # the form
    "an.campaign.form.title": ("新建专项整治", "New campaign"),
    "an.campaign.form.seeded": ("新建专项整治（{label}）", "New campaign ({label})"),
    "an.campaign.name": ("整治名称", "Name"),
    "an.campaign.name.ph": ("例如：云岩区井盖专项整治", "e.g. Manhole covers in Yunyan"),
    "an.campaign.note": ("说明", "Note"),
    "an.campaign.categories": ("整治类别（大类或小类）", "Categories (major or minor)"),
    "an.campaign.categories.ph": ("选择一个或多个类别", "Choose one or more categories"),
    "an.campaign.start": ("开始日期", "Start date"),
    "an.campaign.end": ("结束日期", "End date"),
    "an.campaign.area_mode": ("整治区域", "Area"),
    "an.campaign.mode.districts": ("选择区县", "Choose districts"),
    "an.campaign.mode.drawn": ("在地图上绘制", "Draw on the map"),
    "an.campaign.districts": ("区县", "Districts"),
    "an.campaign.districts.ph": ("选择一个或多个区县", "Choose one or more districts"),
    "an.campaign.draw_hint": (
        "用地图右上角的多边形或矩形工具画出整治区域（可画多块）。",
        "Draw the area with the polygon or rectangle tool at the map's top right (several parts are fine).",
    ),
    "an.campaign.seed_hint": (
        "区域取自{label}；也可以在地图上重新绘制。",
        "The area comes from {label}; you may draw another one on the map.",
    ),
    "an.campaign.submit": ("创建专项整治", "Create campaign"),
    "an.campaign.cancel": ("取消", "Cancel"),
    "an.campaign.created": ("已创建专项整治“{name}”。", "Campaign “{name}” created."),
    "an.campaign.err.db": ("数据库暂不可用，请稍后重试。", "The database is unavailable; try again shortly."),
    # the detail
    "an.campaign.detail.none": ("选择一项专项整治查看效果。", "Choose a campaign to see its effect."),
    "an.campaign.end_button": ("结束整治", "End the campaign"),
    "an.campaign.ended_ok": ("专项整治“{name}”已结束。", "Campaign “{name}” ended."),
    "an.campaign.chart.title": (
        "每周同类上报：整治区域与对照区域",
        "Weekly reports: campaign area and controls",
    ),
    "an.campaign.chart.treated": ("整治区域", "Campaign area"),
    "an.campaign.chart.expected": (
        "按对照区域变化推算（无整治时的预期）",
        "Expected from the controls (had there been no campaign)",
    ),
    "an.campaign.chart.count": ("上报数", "Reports"),
    "an.campaign.chart.start": ("开始", "start"),
    "an.campaign.chart.end": ("结束", "end"),
    "an.campaign.explain": (
        "方法：双重差分。比较整治区域与 {n} 个对照方格（整治前上报率相近、与整治区域不相邻的 1 公里方格，"
        "取自{where}）在整治前 {pre} 周与开始后 {post} 周的每周上报数；比值的比值及其 95% 区间已考虑"
        "上报数的过度离散与前后周的相关。整治前：整治区域 {tp} 件、对照 {cp} 件；开始后：整治区域 {tq} 件、对照 {cq} 件。",
        "Method: difference-in-differences. The campaign area's weekly reports are compared with those of {n} "
        "control squares (1 km squares not touching the area whose rate before the start was similar, from "
        "{where}) over {pre} weeks before and {post} weeks since the start; the ratio of ratios and its 95 % "
        "interval allow for overdispersed counts and for correlation between weeks. Before: {tp} reports in the "
        "area, {cp} in the controls; since the start: {tq} and {cq}.",
    ),
    "an.campaign.where.districts": ("同一区县", "the same districts"),
    "an.campaign.where.city": (
        "全市，因所在区县可比方格不足",
        "the whole city, its own districts having too few",
    ),
}
