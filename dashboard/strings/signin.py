"""Strings of sign-in throttling, the CSRF refusals, logout and the admins' sign-in alerts (``signin.``)."""

STRINGS: dict[str, tuple[str, str]] = {
    "signin.wait": (
        "登录尝试过多，请在 {seconds} 秒后（{at}）再试。",
        "Too many sign-in attempts: try again in {seconds} s (at {at}).",
    ),
    "signin.locked": (
        "登录失败次数过多，已暂时锁定至 {at}（约 {minutes} 分钟）。管理员可提前解锁。",
        "Too many failed sign-ins: locked until {at} (about {minutes} min). An administrator can unlock it sooner.",
    ),
    "signin.expired": (
        "登录页面已过期，请重新输入并登录。",
        "The sign-in form expired: please enter your details and sign in again.",
    ),
    "signin.cross_site": (
        "已拒绝来自其他网站的登录或退出请求。",
        "A sign-in or sign-out request from another site was refused.",
    ),
    "signin.logout_title": ("退出登录", "Sign out"),
    "signin.logout_question": ("{name}，要退出登录吗？", "{name}, sign out?"),
    "signin.logout": ("退出", "Sign out"),
    "signin.alerts": ("登录告警 {n} 次 · 最近 {at}", "{n} sign-in alert(s) · last {at}"),
    "signin.alerts_title": (
        "过去 24 小时内密码错误或被拒绝的登录尝试异常集中，详见审计日志 audit_log。",
        "Bursts of failed or refused sign-ins in the last 24 hours; see the audit_log table.",
    ),
}
