"""Strings of the page gate (无权访问), the 404 page and the user chip."""

STRINGS: dict[str, tuple[str, str]] = {
    "access.title": ("无权访问", "No access"),
    "access.why": (
        "您的角色（{role}）不能使用“{page}”页面。",
        "Your role ({role}) may not use the {page} page.",
    ),
    "access.go": ("您可以前往：", "You may go to:"),
    "access.public_map": ("公众地图", "Public map"),
    "notfound.title": ("404 · 页面不存在", "404 · Page not found"),
    "notfound.text": ("您打开的地址 {path} 不存在。", "There is no page at {path}."),
    "notfound.go": ("您可以前往：", "You may go to:"),
    "notfound.signin": ("工作人员登录", "Staff sign-in"),
    "mod.target.beauty_post": ("最美贵阳作品", "Beautiful Guiyang post"),
    "mod.target.photo": ("案件照片", "Case photo"),
    "mod.target.service_point": ("便民服务点", "Service point"),
    "user.chip_title": ("{name}（{role}）", "{name} ({role})"),
}
