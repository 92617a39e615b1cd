"""Strings of the read replica's indicator on the wall (callbacks/replica_wall.py)."""

STRINGS: dict[str, tuple[str, str]] = {
    "rep.lag": ("副本延迟 {seconds} s", "Replica {seconds} s behind"),
    "rep.primary": ("读主库", "Reading the primary"),
    "rep.lag.title": (
        "本屏幕从只读副本读取数据，副本比主库落后约 {seconds} 秒",
        "This screen reads from the read replica, about {seconds} s behind the primary",
    ),
    "rep.primary.title": (
        "只读副本不可用或延迟过大（{reason}），暂时从主库读取，恢复后自动切回",
        "The read replica is down or too far behind ({reason}): reading the primary until it recovers",
    ),
}
