"""研判预警: the analysis engine over the case data (issue 13).

Pure functions over numpy arrays / pandas frames do the statistics; thin SQL around them reads the counts. Each
capability is its own module:

- :mod:`ops.analysis.scope`: whose cases an analysis reads (city, a district, a department's categories);
- :mod:`ops.analysis.alert_states`: the alert state machine (new → acknowledged → dismissed / campaign /
  escalated) and its append-only history;
- :mod:`ops.analysis.qvalues`: Benjamini–Hochberg q-values (:func:`~ops.analysis.qvalues.bh_qvalues`);
- :mod:`ops.analysis.peaks`: 时间峰值, the weekday × hour matrix with its peaks (binomial / Poisson tests, BH);
- :mod:`ops.analysis.correlation`: 关联分析, pairs of 小类 reported together in a 1 km square within ±N days
  (Knox-type statistic, date-permutation Monte Carlo, lift, BH).
"""
