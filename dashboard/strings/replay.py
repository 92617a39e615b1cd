"""Strings of the heatmap's category filter and of case replay (案件回放)."""

STRINGS: dict[str, tuple[str, str]] = {
    # heatmap by category (wall and workbench)
    "heat.major": ("大类", "Category"),
    "heat.minor": ("小类", "Subcategory"),
    "heat.all": ("全部类别", "All categories"),
    "heat.all_minor": ("全部小类", "All subcategories"),
    "heat.showing": ("类别：{name}", "Category: {name}"),
    "heat.wb.on": ("上报热力", "Report heatmap"),
    "heat.wb.title": ("网格上报热力", "Reports per grid"),
    # case replay
    "replay.open": ("回放", "Replay"),
    "replay.title": ("案件回放", "Case replay"),
    "replay.mode.case": ("单个案件", "One case"),
    "replay.mode.day": ("区县一日", "A district's day"),
    "replay.case": ("案件编号或 ID", "Ticket or case id"),
    "replay.district": ("区县", "District"),
    "replay.date": ("日期", "Date"),
    "replay.load": ("载入", "Load"),
    "replay.play": ("播放", "Play"),
    "replay.pause": ("暂停", "Pause"),
    "replay.speed": ("速度", "Speed"),
    "replay.close": ("关闭回放", "Close replay"),
    "replay.empty": ("这段时间没有发生任何事件。", "Nothing happened in this period."),
    "replay.not_found": ("没有找到该案件，或您无权查看。", "No such case, or you may not see it."),
    "replay.bad_date": ("请选择区县和日期。", "Choose a district and a date."),
    "replay.loaded": ("{n} 个事件，{cases} 个案件", "{n} events, {cases} cases"),
    "replay.capped": ("（仅前 {n} 个事件）", "(first {n} events only)"),
    "replay.step": ("第 {k}/{n} 步", "step {k} of {n}"),
    "replay.by": ("操作人", "By"),
}
