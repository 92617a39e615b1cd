"""Strings of the 多发地点 tab of /analysis and of the recurrence lines of the workbench's case card."""

STRINGS: dict[str, tuple[str, str]] = {
    "an.places.tab": ("多发地点", "Recurring places"),
    "an.places.summary": (
        "近{days}天共 {n} 个多发地点：同一小类的上报，每件与另一件相距不超过 {r} 米，至少 {m} 件即为一个地点。"
        "“已复发”指该地点已有上报结案后又出现的新上报。",
        "{n} {n|place|places} in the last {days} days: reports of one subcategory, each within {r} m of another, "
        "at least {m} of them make a place. “Recurred” counts reports made after an earlier report of the place "
        "was closed.",
    ),
    "an.places.more": ("（仅列出最大的 {n} 个）", " (the largest {n} are listed)"),
    "an.places.empty": (
        "近{days}天内没有多发地点（同一小类 {r} 米内至少 {m} 件上报）。可放宽时段或类别。",
        "No recurring places in the last {days} days (at least {m} reports of one subcategory within {r} m). "
        "Try a longer period or another category.",
    ),
    "an.places.col.rank": ("#", "#"),
    "an.places.col.place": ("地点", "Place"),
    "an.places.col.category": ("小类", "Subcategory"),
    "an.places.col.count": ("上报", "Reports"),
    "an.places.col.first": ("首次", "First seen"),
    "an.places.col.last": ("最近", "Last seen"),
    "an.places.col.open": ("未结", "Open"),
    "an.places.col.recurred": ("已复发", "Recurred"),
    "an.places.col.district": ("区县", "District"),
    "an.places.col.lat": ("纬度", "Latitude"),
    "an.places.col.lon": ("经度", "Longitude"),
    "an.places.col.key": ("编号", "Key"),
    "an.places.export": ("导出 CSV", "Export CSV"),
    "an.places.file": ("多发地点", "recurring-places"),
    "an.places.pick": (
        "点击地图上的圆圈或表中一行，查看该地点的案件。",
        "Click a circle or a row to see the place's cases.",
    ),
    "an.places.detail": (
        "{name} · {category}：{n} 件上报，{open} 件未结，{recurred} 件结案后复发",
        "{name} · {category}: {n} reports, {open} open, {recurred} after closing",
    ),
    "an.places.gone": ("该地点已不在当前筛选范围内。", "This place is no longer within the filters."),
    "an.places.case.ticket": ("案件编号", "Ticket"),
    "an.places.case.status": ("状态", "Status"),
    "an.places.case.reported": ("上报时间", "Reported"),
    "an.places.case.closed": ("结案时间", "Closed"),
    "an.places.campaign": ("以此地点发起专项整治", "Start a campaign here"),
    "an.places.campaign.set": (
        "已将该地点（周边 {r} 米范围）带入专项整治表单，请到“专项整治”页签完成。",
        "The place (within {r} m) is in the campaign form: finish it on the Campaigns tab.",
    ),
    "an.places.campaign.denied": (
        "仅值班长和管理员可发起专项整治。",
        "Only shift leads and admins start campaigns.",
    ),
    "an.places.tip": ("{name} · {category} · {n} 件", "{name} · {category} · {n} reports"),
    # the workbench's case card
    "an.places.card.label": ("复发", "Recurrence"),
    "an.places.card.recurs": (
        "本案为 {ticket} 的第 {n} 次复发（距 {m} 米，结案后 {d} 天）",
        "This case is recurrence {n} of {ticket} ({m} m away, {d} days after it was closed)",
    ),
    "an.places.card.recurs_chain": (
        "本案为 {place} 的第 {n} 次复发（距上次复发的 {ticket} {m} 米，结案后 {d} 天）",
        "This case is recurrence {n} of {place} ({m} m from the last one, {ticket}, {d} days after it was closed)",
    ),
    "an.places.card.recurred": ("已复发：{tickets}", "Recurred: {tickets}"),
    "an.places.card.hidden": ("他处案件", "a case outside your scope"),
}
