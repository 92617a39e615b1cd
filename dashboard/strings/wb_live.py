"""Strings of the workbench's live updates (push)."""

STRINGS: dict[str, tuple[str, str]] = {
    "wbp.conn.open": ("实时", "Live"),
    "wbp.conn.connecting": ("重连中", "Reconnecting"),
    "wbp.conn.offline": ("离线", "Offline"),
    "wbp.conn.title.open": ("工作台实时更新中", "The workbench updates live"),
    "wbp.conn.title.connecting": (
        "正在重新连接，恢复后自动补齐",
        "Reconnecting; missed changes load once back",
    ),
    "wbp.conn.title.offline": (
        "与服务器的连接已断开，正在重试",
        "The connection to the server is lost; retrying",
    ),
    "wbp.card.changed": (
        "此案件已被他人更新：状态和记录已刷新，您填写的内容已保留。",
        "Someone else updated this case: its status and history are refreshed; what you typed is kept.",
    ),
}
