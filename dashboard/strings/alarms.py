"""Strings of the alarm banner (报警) on the wall and the workbench."""

STRINGS: dict[str, tuple[str, str]] = {
    "alm.title": ("报警", "Alarms"),
    "alm.count": ("报警 {n} 条待确认", "{n} alarms to acknowledge"),
    "alm.more": ("另有 {n} 条", "{n} more"),
    "alm.kind.urgent": ("突发", "Emergency"),
    "alm.kind.escalated": ("督办", "Escalated"),
    "alm.kind.alert": ("预警", "Alert"),
    "alm.alert": ("预警 #{id}", "Alert #{id}"),
    "alm.alert.figures": (
        "上报 {observed} 件，往常约 {expected} 件",
        "{observed} reports, usually about {expected}",
    ),
    "alm.ago.now": ("刚刚", "just now"),
    "alm.ago.min": ("{n} 分钟前", "{n} min ago"),
    "alm.ago.hour": ("{n} 小时前", "{n} h ago"),
    "alm.ack": ("确认", "Acknowledge"),
    "alm.ack.title": ("确认后所有屏幕停止提示", "Stops the alarm on every screen"),
    "alm.note": ("确认备注（可选）", "Note for the acknowledgement (optional)"),
    "alm.lead_only": ("待值班长确认", "Waiting for a shift lead"),
    "alm.acked": ("已确认报警 #{id}：{what}", "Alarm #{id} acknowledged: {what}"),
    "alm.err": ("报警 #{id} 未能确认：{message}", "Alarm #{id} not acknowledged: {message}"),
    "alm.err.db": ("数据库暂时不可用，请稍后重试。", "The database is unavailable; try again shortly."),
    "alm.history": ("最近已确认", "Recently acknowledged"),
    "alm.history.row": ("{who} 于 {when} 确认", "acknowledged by {who} at {when}"),
    "alm.history.none": ("暂无", "None yet"),
    "alm.enable": ("点击启用提示音", "Click to enable the alarm sound"),
    "alm.enable.title": (
        "浏览器在点击之前不允许网页播放声音；点击一次即可（并允许桌面通知）",
        "Browsers let a page play sound only after a click; click once (and allow notifications)",
    ),
    "alm.notify.title": ("【{kind}】{what}", "[{kind}] {what}"),
}
