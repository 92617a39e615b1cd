"""Strings of the workbench's case search (keys ``wbs.``)."""

STRINGS = {
    "wbs.placeholder": (
        "搜索 工单号 / 地址 / 描述（按 / 键）",
        "Search ticket / address / description (press /)",
    ),
    "wbs.placeholder_phone": (
        "搜索 工单号 / 地址 / 描述 / 电话（按 / 键）",
        "Search ticket / address / description / phone (press /)",
    ),
    "wbs.label": ("搜索案件", "Search cases"),
    "wbs.searching": ("搜索中…", "Searching…"),
    "wbs.too_short": ("请至少输入 2 个字", "Type at least 2 characters"),
    "wbs.none": ("没有找到与「{q}」相关的案件", "No case found for “{q}”"),
    "wbs.count": ("找到 {n} 件", "{n} cases found"),
    "wbs.more": (
        "显示最新 {n} 件，请输入更多文字缩小范围",
        "The newest {n} shown: type more to narrow it down",
    ),
    "wbs.hint": ("↑↓ 选择 · Enter 打开 · Esc 清除", "↑↓ select · Enter open · Esc clear"),
    "wbs.clear": ("清除搜索", "Clear the search"),
    "wbs.m.ticket": ("工单号", "ticket"),
    "wbs.m.address": ("地址", "address"),
    "wbs.m.description": ("描述", "description"),
    "wbs.m.phone": ("电话", "phone"),
    "wbs.no_address": ("（无地址）", "(no address)"),
    "wbs.failed": ("搜索失败，请稍后再试", "The search failed; try again shortly"),
}
