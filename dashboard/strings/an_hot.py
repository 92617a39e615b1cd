"""Strings of the 热点区域 (hot spots) tab of /analysis and of the hot-spot line on the workbench's case card."""

_MORE = ("显著多于", "significantly more reports than")
_FEWER = ("显著少于", "significantly fewer reports than")

STRINGS: dict[str, tuple[str, str]] = {
    "an.hot.tab": ("热点区域", "Hot spots"),
    "an.hot.level": ("统计单元", "Unit"),
    "an.hot.level.cell": ("100米网格", "100 m cells"),
    "an.hot.level.500m": ("500米方格", "500 m squares"),
    "an.hot.level.1km": ("1公里方格", "1 km squares"),
    "an.hot.area.city": ("全市", "the city"),
    "an.hot.area.scope": ("分析范围", "the area analysed"),
    "an.hot.summary": (
        "近{days}天共 {total} 件上报，{units} 个{unit}中：热点 {hot} 个，冷点 {cold} 个（截至 {at}）。",
        "{total} reports in the last {days} days over {units} {unit}: {hot} hot spots, {cold} cold spots "
        "(as of {at}).",
    ),
    "an.hot.method": (
        "方法：Getis-Ord Gi* 把每个单元连同周边 8 个单元的上报数与{area}所有单元（包括没有上报的单元）的平均水平相比，"
        "再用 Benjamini–Hochberg 方法控制误报比例（FDR）后按 90%/95%/99% 置信度分级。",
        "Method: Getis-Ord Gi* compares the reports of each unit and its 8 neighbours with the average over every "
        "unit of {area} (units without reports included), then controls the share of false alarms "
        "(Benjamini–Hochberg FDR) and grades at 90 / 95 / 99 % confidence.",
    ),
    "an.hot.sparse": (
        "上报较稀疏（平均每个单元 {mean} 件）：单个单元的偶然多报也可能被标为热点，建议同时查看更大的单元。",
        "Reports are sparse ({mean} per unit on average): a chance handful in one unit can be marked hot; "
        "compare with larger units.",
    ),
    "an.hot.legend": ("图例", "Legend"),
    "an.hot.legend.hot": (
        "热点（{conf}%置信）：该处及周边上报" + _MORE[0] + "{area}平均",
        "Hot spot ({conf} % confidence): this place and its surroundings have "
        + _MORE[1]
        + " {area}'s average",
    ),
    "an.hot.legend.cold": (
        "冷点（{conf}%置信）：该处及周边上报" + _FEWER[0] + "{area}平均",
        "Cold spot ({conf} % confidence): this place and its surroundings have "
        + _FEWER[1]
        + " {area}'s average",
    ),
    "an.hot.legend.none": (
        "未着色：与平均水平没有显著差异",
        "Not coloured: no significant difference from the average",
    ),
    "an.hot.empty": (
        "该时段和范围内没有显著的热点或冷点。",
        "No significant hot or cold spots for this period and scope.",
    ),
    "an.hot.no_reports": ("该时段和范围内没有上报。", "No reports for this period and scope."),
    "an.hot.failed": (
        "热点分析暂时无法完成，请稍后再试。",
        "The hot-spot analysis failed; please try again.",
    ),
    "an.hot.table": (
        "显著热点（按 Z 值排序，最多 {n} 个）",
        "Significant hot spots (by z-score, at most {n})",
    ),
    "an.hot.col.key": ("单元", "Unit"),
    "an.hot.col.district": ("区县", "District"),
    "an.hot.col.count": ("上报数", "Reports"),
    "an.hot.col.z": ("Z 值", "z-score"),
    "an.hot.col.conf": ("置信度", "Confidence"),
    "an.hot.col.q": ("q 值（FDR）", "q (FDR)"),
    "an.hot.col.class": ("类别", "Class"),
    "an.hot.col.lat": ("纬度", "Latitude"),
    "an.hot.col.lon": ("经度", "Longitude"),
    "an.hot.hot": ("热点", "hot spot"),
    "an.hot.cold": ("冷点", "cold spot"),
    "an.hot.export": ("导出CSV", "Export CSV"),
    "an.hot.campaign": ("以此热点发起专项整治", "Start a campaign here"),
    "an.hot.campaign.pick": ("请先在表格中勾选热点单元。", "Tick hot units in the table first."),
    "an.hot.campaign.stale": (
        "所选单元已不在当前结果中，请重新勾选。",
        "The ticked units are no longer in the current result; tick them again.",
    ),
    "an.hot.campaign.role": (
        "只有值班长和管理员可以发起专项整治。",
        "Only shift leads and administrators start campaigns.",
    ),
    "an.hot.campaign.done": (
        "已把 {n} 个热点单元交给“专项整治”，请在该标签页完成。",
        "{n} hot unit(s) passed to Campaigns: finish there.",
    ),
    "an.hot.campaign.label": (
        "热点 {unit} 等 {n} 个单元（近{days}天）",
        "Hot spot {unit} and {n} unit(s) (last {days} days)",
    ),
    "an.hot.tooltip": ("{kind} · {conf}%置信 · {n} 件 · Z={z}", "{kind} · {conf} % · {n} reports · z={z}"),
    # the workbench's case card
    "an.hot.card": ("热点区域", "Hot spot"),
    "an.hot.card.minor": ("同小类", "This subcategory"),
    "an.hot.card.all": ("全部类别", "All categories"),
    "an.hot.card.all_dep": ("本部门类别", "Your categories"),
    "an.hot.card.in": (
        "{what}：{kind}（{conf}%置信，所在网格近30天 {n} 件）",
        "{what}: {kind} ({conf} % confidence; {n} reports in this cell in 30 days)",
    ),
    "an.hot.card.out": (
        "{what}：不在热点内（所在网格近30天 {n} 件）",
        "{what}: not in a hot spot ({n} reports in this cell in 30 days)",
    ),
    "an.hot.card.help": (
        "按 100 米网格、近30天计算（Getis-Ord Gi*，FDR 控制），每几分钟更新。",
        "100 m cells, last 30 days (Getis-Ord Gi*, FDR-controlled), refreshed every few minutes.",
    ),
}
