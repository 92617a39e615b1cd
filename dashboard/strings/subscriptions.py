"""Strings of /subscriptions (区域订阅): staff subscribe to new reports and closures in an area."""

STRINGS: dict[str, tuple[str, str]] = {
    # an area subscription's message in the outbox of /admin/notify
    "sub.kind.area_new": ("区域订阅·新上报", "Area subscription · new report"),
    "sub.kind.area_closed": ("区域订阅·结案", "Area subscription · closed"),
    "sub.nav": ("区域订阅", "Area alerts"),
    "sub.title": (
        "区域订阅：区域内的新上报和结案提醒",
        "Area subscriptions: new reports and closures in an area",
    ),
    "sub.intro": (
        "在地图上画出区域（多边形或矩形），或选择“圆形”后点击地图并设定半径；选好类别和事件，填写通知地址，保存。"
        "只会提醒您有权查看的案件。",
        "Draw an area on the map (a polygon or a rectangle), or choose 'Circle', click the map and set a radius; "
        "pick categories and events, give where to send, and save. You are told only of cases you may open.",
    ),
    "sub.form": ("新建订阅", "New subscription"),
    "sub.name": ("名称", "Name"),
    "sub.name.ph": ("例如：中华北路沿线", "e.g. along Zhonghua North Road"),
    "sub.mode": ("区域", "Area"),
    "sub.mode.drawn": ("画出区域", "Draw"),
    "sub.mode.circle": ("圆形（点 + 半径）", "Circle (point + radius)"),
    "sub.hint.drawn": (
        "用地图右上角的工具画多边形或矩形（可画多个）。",
        "Use the tools at the top right of the map to draw a polygon or a rectangle (several if you like).",
    ),
    "sub.hint.circle": (
        "点击地图选择中心点，再设定半径。",
        "Click the map to choose the centre, then set the radius.",
    ),
    "sub.hint.center": ("中心点：{lat}, {lon}", "Centre: {lat}, {lon}"),
    "sub.radius": ("半径（米）", "Radius (metres)"),
    "sub.categories": ("类别", "Categories"),
    "sub.categories.ph": ("不选即全部类别", "None chosen: every category"),
    "sub.events": ("提醒", "Tell me of"),
    "sub.event.new": ("新上报", "New reports"),
    "sub.event.closed": ("结案", "Closures"),
    "sub.channel_kind": ("通知方式", "Delivery"),
    "sub.channel.url": ("机器人 / Webhook / 邮件地址 (apprise)", "Bot / webhook / mail URL (apprise)"),
    "sub.channel.email": ("电子邮箱", "E-mail address"),
    "sub.channel": ("通知地址", "Where to send"),
    "sub.channel.help.url": (
        "企业微信 wecombot://key，钉钉 dingtalk://token，邮件 mailto://…，Webhook json(s)://主机/路径",
        "WeCom wecombot://key, DingTalk dingtalk://token, e-mail mailto://…, webhook json(s)://host/path",
    ),
    "sub.channel.help.email": ("由本系统的邮件服务发送。", "Sent by this server's mail sender."),
    "sub.msg_lang": ("消息语言", "Message language"),
    "sub.save": ("保存订阅", "Save subscription"),
    "sub.saved": ("订阅 #{id} 已保存。", "Subscription #{id} saved."),
    "sub.err": ("未保存：{message}", "Not saved: {message}"),
    "sub.err.db": (
        "数据库暂时不可用，未保存，请稍后重试。",
        "The database is unavailable; nothing was saved. Try again.",
    ),
    "sub.err.area": (
        "请先在地图上画出区域或点击选择中心点。",
        "Draw an area or click the map for a centre first.",
    ),
    # the list
    "sub.list": ("我的订阅", "My subscriptions"),
    "sub.list.empty": (
        "您还没有订阅。在地图上画出区域，填写右侧表单并保存，区域内有新上报或结案时就会通知您。",
        "No subscriptions yet. Draw an area on the map, fill in the form and save: you will be told of new "
        "reports and closures there.",
    ),
    "sub.col.name": ("名称", "Name"),
    "sub.col.area": ("区域", "Area"),
    "sub.col.categories": ("类别", "Categories"),
    "sub.col.events": ("提醒", "Events"),
    "sub.col.channel": ("通知地址（已隐藏）", "Delivery (hidden)"),
    "sub.col.status": ("状态", "Status"),
    "sub.col.actions": ("操作", "Actions"),
    "sub.area.drawn": ("自绘区域", "Drawn area"),
    "sub.area.circle": ("半径 {r} 米", "Radius {r} m"),
    "sub.all": ("全部", "All"),
    "sub.active": ("启用", "Active"),
    "sub.paused": ("已暂停", "Paused"),
    "sub.test": ("发送测试", "Send a test"),
    "sub.pause": ("暂停", "Pause"),
    "sub.resume": ("恢复", "Resume"),
    "sub.remove": ("删除", "Remove"),
    "sub.confirm": ("确定删除订阅 #{id}（{name}）？", "Remove subscription #{id} ({name})?"),
    "sub.confirm.yes": ("确认删除", "Remove"),
    "sub.confirm.no": ("取消", "Cancel"),
    "sub.removed": ("订阅 #{id} 已删除。", "Subscription #{id} removed."),
    "sub.toggled.on": ("订阅 #{id} 已恢复。", "Subscription #{id} resumed."),
    "sub.toggled.off": ("订阅 #{id} 已暂停。", "Subscription #{id} paused."),
    "sub.test.ok": (
        "测试消息已通过订阅 #{id}（{channel}）送达。",
        "A test message reached subscription #{id} ({channel}).",
    ),
    "sub.test.fail": (
        "测试消息未能通过订阅 #{id}（{channel}）送达：{reason}",
        "The test message did not reach subscription #{id} ({channel}): {reason}",
    ),
}
