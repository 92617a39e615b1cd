"""研判预警: the analysis engine over the case data (issue 13).

Pure functions over numpy arrays / pandas frames do the statistics; thin SQL around them reads the counts. Each
capability is its own module:

- :mod:`ops.analysis.scope`: whose cases an analysis reads (city, a district, a department's categories);
- :mod:`ops.analysis.alert_states`: the alert state machine (new → acknowledged → dismissed / campaign /
  escalated) and its append-only history;
- :mod:`ops.analysis.fdr`: Benjamini–Hochberg q-values (``bh_qvalues(p) -> q``), shared by every analysis that
  makes many tests;
- :mod:`ops.analysis.expectation`: the Poisson–gamma (negative-binomial) expectation of a window's count with
  hour-of-week seasonality; :mod:`ops.analysis.anomaly`: p-values, FDR, minimum count, one alert per burst;
  :mod:`ops.analysis.trend`: the quasi-Poisson slope test of weekly counts (with Mann–Kendall's S as a check);
- :mod:`ops.analysis.hourly`: the incremental hourly counts (table ``analysis_hourly``) the baselines read;
  :mod:`ops.analysis.anomaly_step`, :mod:`ops.analysis.trend_step`: the cycle's steps that raise alerts;
  :mod:`ops.analysis.alert_write`: place, explanation and no duplicates; :mod:`ops.analysis.alert_config`: the
  thresholds;
- :mod:`ops.analysis.cycle`: the analysis cycle, ``STEPS`` run each in its own transaction
  (``guiyang-ops analyze run``).
"""
