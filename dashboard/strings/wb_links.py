"""Strings of the workbench's deep links (``/workbench?case=…``), the queue's pages and the keyboard shortcuts."""

STRINGS: dict[str, tuple[str, str]] = {
    "wbl.open_case": ("在工作台打开案件 {ticket}", "Open case {ticket} on the workbench"),
    "wbl.alert_cases": ("在工作台查看相关案件 →", "See the cases on the workbench →"),
    "wbl.bad_ticket": (
        "“{ticket}”不是案件编号（例如 GY250908-1599）。",
        "“{ticket}” is not a ticket number (e.g. GY250908-1599).",
    ),
    "wbl.not_found": (
        "没有案件 {ticket}，请核对编号。",
        "There is no case {ticket}. Please check the number.",
    ),
    "wbl.outside.district": (
        "案件 {ticket} 不在您的辖区（{name}），无权查看。",
        "Case {ticket} is outside your district ({name}); you may not open it.",
    ),
    "wbl.outside.department": (
        "案件 {ticket} 不属于您的部门（{name}），无权查看。",
        "Case {ticket} is not one of your department's ({name}); you may not open it.",
    ),
    "wbl.outside": ("您无权查看案件 {ticket}。", "You may not open case {ticket}."),
    # the queue's total and pages
    "wbl.count": ("共 {total} 件，第 {first}–{last} 件", "{total} cases, {first}–{last} shown"),
    "wbl.count_none": ("共 0 件", "0 cases"),
    "wbl.pager": ("队列分页", "Queue pages"),
    "wbl.page.first": ("第一页", "First page"),
    "wbl.page.prev": ("上一页", "Previous page"),
    "wbl.page.next": ("下一页", "Next page"),
    "wbl.page.last": ("最后一页", "Last page"),
    "wbl.page.of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    # the keyboard shortcuts
    "wbl.keys.title": ("键盘快捷键", "Keyboard shortcuts"),
    "wbl.keys.open": ("键盘快捷键（?）", "Keyboard shortcuts (?)"),
    "wbl.keys.close": ("关闭", "Close"),
    "wbl.keys.card": ("打开的案件", "The open case"),
    "wbl.keys.queue": ("队列与窗口", "Queue and windows"),
    "wbl.keys.hint": (
        "只执行您对当前案件可做的操作（灰色：当前不可用）；在输入框中打字或按住 Ctrl、Alt、⌘ 时不起作用。",
        "Only the actions you may take on the open case work (grey: not now); never while you type in a field "
        "or hold Ctrl, Alt or ⌘.",
    ),
    "wbl.k.next": ("队列中的下一个案件", "Next case in the queue"),
    "wbl.k.prev": ("队列中的上一个案件", "Previous case in the queue"),
    "wbl.k.next_page": ("队列下一页", "Next page of the queue"),
    "wbl.k.prev_page": ("队列上一页", "Previous page of the queue"),
    "wbl.k.esc": ("关闭表单、本窗口或案件卡片", "Close the form, this panel or the case card"),
    "wbl.k.help": ("显示或关闭本窗口", "Show or close this panel"),
    "wbl.k.or": ("或", "or"),
}
