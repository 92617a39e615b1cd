"""Strings of the 预警 (alerts) screens: the wall's panel and markers, the /analysis tab 预警."""

STRINGS: dict[str, tuple[str, str]] = {
    # shared: how an alert reads
    "an.alertui.title": ("预警", "Alerts"),
    "an.alertui.empty": ("暂无预警", "No alerts"),
    "an.alertui.numbers": (
        "{window} {observed} 件 / 往常约 {expected} 件",
        "{window}: {observed} / usually ~{expected}",
    ),
    "an.alertui.window.hours": ("近{n}小时", "last {n} h"),
    "an.alertui.window.days": ("近{n}天", "last {n} days"),
    "an.alertui.age.now": ("刚刚", "just now"),
    "an.alertui.age.min": ("{n} 分钟前", "{n} min ago"),
    "an.alertui.age.hour": ("{n} 小时前", "{n} h ago"),
    "an.alertui.age.day": ("{n} 天前", "{n} d ago"),
    "an.alertui.level.1km": ("1 公里方格", "1 km"),
    "an.alertui.level.district": ("全区", "district-wide"),
    "an.alertui.kind.anomaly": ("异常", "anomaly"),
    "an.alertui.kind.trend": ("趋势", "trend"),
    "an.alertui.more": ("另有 {n} 条预警", "{n} more {n|alert|alerts}"),
    "an.alertui.wall.title": ("预警（待处理 {n} 条）", "Alerts ({n} open)"),
    # the tab
    "an.alertui.tab": ("预警", "Alerts"),
    "an.alertui.state": ("状态", "State"),
    "an.alertui.state.live": ("待处理", "Open"),
    "an.alertui.state.all": ("全部", "All"),
    "an.alertui.count": ("共 {n} 条", "{n} {n|alert|alerts}"),
    "an.alertui.export": ("导出 CSV", "Export CSV"),
    "an.alertui.col.title": ("类别 · 地点", "Category · place"),
    "an.alertui.col.state": ("状态", "State"),
    "an.alertui.col.nums": ("上报 / 往常", "Reports / usual"),
    "an.alertui.col.age": ("发出", "Raised"),
    "an.alertui.pick": (
        "在列表或地图上选择一条预警，查看说明和处理记录。",
        "Choose an alert in the list or on the map to see its explanation and history.",
    ),
    "an.alertui.gone": (
        "该预警不存在或不在您的范围内。",
        "This alert does not exist or is outside your scope.",
    ),
    "an.alertui.observed": ("实际上报", "Observed"),
    "an.alertui.expected": ("往常预期", "Expected"),
    "an.alertui.score": ("异常评分", "Score"),
    "an.alertui.p_value": ("显著性 p 值", "p-value"),
    "an.alertui.window": ("时间窗", "Window"),
    "an.alertui.place": ("地点", "Place"),
    "an.alertui.kind": ("类型", "Kind"),
    "an.alertui.raised": ("发出时间", "Raised"),
    "an.alertui.state_now": ("当前状态", "State"),
    "an.alertui.help": (
        "实际上报：时间窗内该地该类的上报件数；往常预期：按往常同一时段（小时、星期）推算的件数；"
        "评分越高越反常；p 值是在往常规律下出现这么多件的概率（已做多重检验校正）。",
        "Observed: reports of this category here in the window; expected: what the same hours and weekdays "
        "usually bring; the higher the score, the more unusual; the p-value is the chance of this many reports "
        "under the usual pattern (corrected for multiple testing).",
    ),
    "an.alertui.history": ("处理记录", "History"),
    "an.alertui.system": ("研判系统", "Analysis engine"),
    "an.alertui.note": ("说明（排除时必填）", "Note (required to dismiss)"),
    "an.alertui.ack": ("确认", "Acknowledge"),
    "an.alertui.dismiss": ("排除", "Dismiss"),
    "an.alertui.escalate": ("上报督办", "Escalate"),
    "an.alertui.campaign": ("转专项整治", "Turn into a campaign"),
    "an.alertui.no_action": ("您可以查看该预警，但无权处理。", "You may read this alert but not act on it."),
    "an.alertui.final": ("该预警已处理完毕。", "This alert has been dealt with."),
    "an.alertui.ok": ("预警 #{id}：{state}。", "Alert #{id}: {state}."),
    "an.alertui.err": ("预警 #{id} 未能处理：{message}", "Alert #{id} was not changed: {message}"),
    "an.alertui.err.db": (
        "数据库暂时不可用，请稍后重试。",
        "The database is unavailable; try again shortly.",
    ),
    "an.alertui.seeded": (
        "已将预警 #{id} 带入专项整治表单，请在“专项整治”中完成创建。",
        "Alert #{id} was put into the campaign form; finish it under Campaigns.",
    ),
    "an.alertui.csv.name": ("预警", "alerts"),
}
