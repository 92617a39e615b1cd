"""The administration pages' section bar (dashboard/components/admin_nav.py)."""

STRINGS = {
    "admn.nav": ("系统管理", "Administration"),
    "admn.bar": ("系统管理", "Administration"),
    "admn.users": ("用户", "Users"),
    "admn.reference": ("基础数据", "Reference data"),
    "admn.audit": ("审计日志", "Audit log"),
    "admn.notify": ("通知", "Notifications"),
    "admn.partners": ("数据共享", "Data sharing"),
}
