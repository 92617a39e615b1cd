"""The definitions of the words the screens count with (在办, 超期, 按期处置率, 样本不足): one key per word, shown
as the same tooltip or footnote wherever the word appears (the wall, /stats, the workbench's light filter).

The SQL behind them: :mod:`db.light` (在办, 超期) and :mod:`db.queries.stats_sql` (the rates).
"""

STRINGS: dict[str, tuple[str, str]] = {
    "num.def.open": (
        "在办：尚未办结的案件（待受理、已立案、已派遣、处置中、已处置待核查、挂账），全市，此刻。",
        "Open: cases not finished yet (awaiting review, filed, dispatched, in progress, handled awaiting "
        "verification, suspended), whole city, now.",
    ),
    "num.def.overdue": (
        "超期：在办案件中，当前环节（受理、派遣、处置或核查）已超过时限的案件，即红灯；挂账案件按挂账时刻判断。"
        "部门只计其正在办理（已派遣、处置中、挂账）的案件，即已过处置时限。",
        "Overdue: open cases whose current stage (review, dispatch, handling or verification) is past its "
        "deadline, i.e. a red light; a suspended case is judged when it was suspended. A department counts only "
        "the cases it holds (dispatched, in progress, suspended), i.e. past the handling deadline.",
    ),
    "num.def.on_time_handle_rate": (
        "按期处置率 = 在处置时限内处置的案件 / 应处置案件（已处置，或已过处置时限），统计已立案（不含已合并）的案件。",
        "On-time handling = cases handled by the handling deadline / cases due (handled, or past the deadline), "
        "over the filed cases (merged duplicates excluded).",
    ),
    "num.def.too_few": (
        "样本不足：应结案案件（已结案，或已过处置时限）少于 {n} 件，不计综合指标值和等级，也不参加排名。",
        "Too few cases: fewer than {n} cases due (closed, or past the handling deadline); no score, no grade and "
        "no rank.",
    ),
    "num.too_few": ("样本不足", "Too few cases"),
}
