"""Strings shared by every page."""

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("贵阳城市管理一张图", "Guiyang City Management One Map"),
    "app.short": ("城管一张图", "City Ops Map"),
    "lang.switch": ("English", "中文"),
    "nav.map": ("网格地图", "Grid map"),
    "nav.login": ("工作人员登录", "Staff sign-in"),
    "nav.logout": ("退出", "Sign out"),
    "map.districts": ("区县边界", "District boundaries"),
    "map.grid": ("单元网格", "Unit grid"),
    "map.zoom_for_grid": (
        "放大到街道级别 (≥ 14 级) 查看单元网格",
        "Zoom to street level (≥ 14) to see the unit grid",
    ),
    "map.cells_shown": ("当前视野内网格 {n} 个", "{n} grid cells in view"),
    "map.cells_capped": (
        "视野内网格过多，仅显示前 {n} 个，请放大",
        "Too many cells in view; showing {n}, zoom in",
    ),
    "map.basemap_note": (
        "底图由本系统数据绘制，无需互联网",
        "Basemap drawn from our own data; no internet needed",
    ),
    "err.db": ("数据库暂时不可用，请稍后重试。", "The database is unavailable; please try again shortly."),
    "empty.none": ("暂无数据", "No data yet"),
}
