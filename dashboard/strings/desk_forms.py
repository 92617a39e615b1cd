"""Strings of the case card's one-action-at-a-time forms, 挂账 / 延期 requests and the queue's focus switch."""

STRINGS: dict[str, tuple[str, str]] = {
    "wbf.choose": ("选择要执行的操作", "Choose what to do"),
    "wbf.confirm": ("确认{action}", "Confirm: {action}"),
    "wbf.cancel": ("取消", "Cancel"),
    "wbf.keys": ("Enter 提交 · Esc 取消", "Enter submits · Esc cancels"),
    "wbf.confirm_only": ("确认后立即执行，无需填写。", "Nothing to fill in: confirm to go ahead."),
    "wbf.reason.reject": ("不予立案原因", "Why it is rejected"),
    "wbf.reason.return": ("回退原因", "Why it is returned"),
    "wbf.reason.suspend": ("挂账原因", "Why it is suspended"),
    "wbf.reason.extend": ("延期原因", "Why it is extended"),
    "wbf.reason.refuse": ("驳回原因", "Why the request is refused"),
    "wbf.amount": ("延期时长（{unit}）", "Extension ({unit})"),
    # the pending (or last) 挂账 / 延期 request on the card
    "wbf.req.title": ("挂账 / 延期申请", "Suspension / extension request"),
    "wbf.req.suspend": ("{dept} 申请挂账", "{dept} asks to suspend"),
    "wbf.req.extend": ("{dept} 申请延期 {amount} {unit}", "{dept} asks for {amount} {unit} more"),
    "wbf.req.by": ("申请人：{who} · {at}", "Asked by {who} · {at}"),
    "wbf.req.reason": ("申请原因：{text}", "Reason: {text}"),
    "wbf.req.decided": ("审批人：{who} · {at}", "Decided by {who} · {at}"),
    "wbf.req.note": ("驳回原因：{text}", "Why refused: {text}"),
    "wbf.req.pending": ("待审批", "Pending"),
    "wbf.req.approved": ("已批准", "Approved"),
    "wbf.req.refused": ("已驳回", "Refused"),
    "wbf.req.withdrawn": ("已撤回", "Withdrawn"),
    "wbf.req.outdated": ("已失效", "Outdated"),
    "wbf.approve.suspend": ("批准后案件挂账，计时停止。", "Approving suspends the case: its clock stops."),
    "wbf.approve.extend": (
        "批准后处置时限延后 {amount} {unit}。",
        "Approving moves the deadline by {amount} {unit}.",
    ),
    "wbf.err.request": ("该案件没有待审批的申请，请刷新。", "This case has no pending request; refresh."),
    # history lines
    "wbf.ev.request": ("{kind}申请 #{id}", "{kind} request #{id}"),
    # queue focus
    "wbf.focus.all": ("显示全部", "Show all"),
    "wbf.focus.mine": ("仅我可处理", "Only mine to act on"),
    "wbf.focus.pending": ("仅待审批", "Pending requests only"),
    "wbf.pending_tag": ("待审批", "Pending approval"),
}
