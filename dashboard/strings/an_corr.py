"""Strings of the analysis page's 时间峰值 (peaks) and 关联分析 (correlations) tabs."""

STRINGS: dict[str, tuple[str, str]] = {
    "an.corr.tab.peaks": ("时间峰值", "Time peaks"),
    "an.corr.tab.correlations": ("关联分析", "Correlations"),
    "an.corr.loading": ("正在计算…", "Computing…"),
    "an.corr.csv": ("导出 CSV", "Export CSV"),
    # peaks
    "an.corr.hour": ("时", "Hour"),
    "an.corr.weekday": ("星期", "Weekday"),
    "an.corr.reports": ("上报件数", "Reports"),
    "an.corr.peak_mark": ("显著偏高", "Significant peak"),
    "an.corr.hover": (
        "{day} {hour}时：{n} 件，预期约 {e} 件（q = {q}）",
        "{day} {hour}:00: {n} reports, about {e} expected (q = {q})",
    ),
    "an.corr.peaks.none": (
        "近{days}天共 {n} 件上报，未发现显著的时间峰值。",
        "{n} reports in the last {days} days; no significant time peak.",
    ),
    "an.corr.peaks.few": (
        "样本不足：近{days}天仅 {n} 件上报，不足以判断时间峰值（至少需要 {min} 件）。",
        "Too few reports: {n} in the last {days} days, at least {min} are needed to judge time peaks.",
    ),
    "an.corr.peaks.top": (
        "{day} {start}–{end} 时{what}上报显著偏高（{n} 件，往常约 {e} 件）",
        "{what} reports are significantly high on {day} {start}:00–{end}:00 ({n} reports, about {e} usual)",
    ),
    "an.corr.peaks.all": ("全部类别", "All"),
    "an.corr.every_day": ("每天", "every day"),
    "an.corr.workdays": ("周一至周五", "Mon–Fri"),
    "an.corr.weekend": ("周末", "weekends"),
    "an.corr.peaks.explain.others": (
        "颜色为近{days}天每个星期几、每个小时的上报件数（北京时间）。★ 标出所选类别占比显著偏高的时段：与同一范围内全部上报的"
        "作息规律相比（同一时段其他上报多，它也应多），该时段所选类别明显更多。经多重检验校正（错误发现率 5%），"
        "且至少 {min} 件、高出预期 20% 以上。",
        "Colour: reports per weekday and hour (Beijing time) over the last {days} days. ★ marks hours when the chosen "
        "category is a significantly larger share of all reports than over the week (reports in general follow the "
        "city's daily rhythm; this compares against it). Corrected for multiple testing (false discovery rate 5 %), "
        "at least {min} reports and 20 % above expectation.",
    ),
    "an.corr.peaks.explain.weekly_mean": (
        "颜色为近{days}天每个星期几、每个小时的上报件数（北京时间）。★ 标出上报显著多于全周平均水平的时段（按时段在期间内"
        "实际出现的次数折算）。经多重检验校正（错误发现率 5%），且至少 {min} 件、高出平均 20% 以上。下方文字列出各小类"
        "相对于全部上报作息规律的显著峰值。",
        "Colour: reports per weekday and hour (Beijing time) over the last {days} days. ★ marks hours with "
        "significantly more reports than the week's hourly mean (allowing for how often each hour occurs in the "
        "period). Corrected for multiple testing (false discovery rate 5 %), at least {min} reports and 20 % above "
        "the mean. The text names each subcategory's peaks against the rhythm of all reports.",
    ),
    # correlations
    "an.corr.window": ("前后天数", "Within ± days"),
    "an.corr.window.n": ("±{n}天", "±{n} days"),
    "an.corr.col.a": ("类别 A", "Category A"),
    "an.corr.col.b": ("类别 B", "Category B"),
    "an.corr.col.observed": ("同现对数", "Pairs together"),
    "an.corr.col.expected": ("预期对数", "Expected"),
    "an.corr.col.lift": ("提升度", "Lift"),
    "an.corr.col.q": ("q 值", "q-value"),
    "an.corr.col.places": ("典型地点", "Example places"),
    "an.corr.place": ("{district} {area}（{n} 对，预期 {e}）", "{district} {area} ({n} pairs, {e} expected)"),
    "an.corr.none": (
        "近{days}天检验了 {m} 对类别，没有发现显著相关的类别组合。",
        "{m} pairs of categories tested over the last {days} days; none go together significantly.",
    ),
    "an.corr.few": (
        "样本不足：近{days}天没有两类以上、各至少 {min} 件且出现在同一网格的上报，无法做关联分析。",
        "Too few reports: no two categories with at least {min} reports each sharing a square in the last "
        "{days} days.",
    ),
    "an.corr.top": (
        "{a}与{b}常在同一地点前后{w}天内一起出现：实际 {n} 对，预期约 {e} 对，是偶然水平的 {lift} 倍。",
        "{a} and {b} are reported together (same place, within ±{w} days) {lift}× as often as chance: "
        "{n} pairs, about {e} expected.",
    ),
    "an.corr.explain": (
        "同现对数：两类上报落在同一 1 公里网格、日期相差不超过{w}天的对数。预期对数：假设每类上报的地点和日期都照旧，"
        "但两类彼此无关（把每类上报的日期在本类内部随机打乱）时的平均对数。提升度 = 同现 ÷ 预期：2 表示一起出现的"
        "次数是偶然情况的两倍。q 值为经多重检验校正（错误发现率）的显著性，≤ 0.05 才列出。典型地点为超出预期最多的网格。",
        "Pairs together: pairs of one report of each category in the same 1 km square, at most {w} days apart. "
        "Expected: the average if each category kept its places and its dates but the two were unrelated (dates "
        "shuffled within each category). Lift = together ÷ expected: 2 means twice as often as by chance. The "
        "q-value is the significance corrected for multiple testing (false discovery rate); only q ≤ 0.05 is listed. "
        "Example places are the squares most above their expectation.",
    ),
    "an.corr.computed": (
        "全市近 30 天的结果由研判周期每 10 分钟计算一次，本结果计算于 {at}。",
        "The city-wide result for the last 30 days is computed by the analysis cycle every 10 minutes; this one at {at}.",
    ),
}
