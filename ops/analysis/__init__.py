"""研判预警: the analysis engine over the case data (issue 13).

Pure functions over numpy arrays / pandas frames do the statistics; thin SQL around them reads the counts. Each
capability is its own module:

- :mod:`ops.analysis.scope`: whose cases an analysis reads (city, a district, a department's categories);
- :mod:`ops.analysis.alert_states`: the alert state machine (new → acknowledged → dismissed / campaign /
  escalated) and its append-only history;
- :mod:`ops.analysis.gistar`: Getis-Ord Gi* over the grid's square lattice (queen neighbours and the unit itself,
  binary weights), two-sided normal p-values, Benjamini–Hochberg FDR, hot/cold classes at 90/95/99 %;
- :mod:`ops.analysis.grid_units`: the unit grid as numpy arrays and the study regions (100 m cells, 500 m and 1 km
  squares of the grid or of one district, empty units included) with their lattices, kept on the grid;
- :mod:`ops.analysis.hotspots`: 热点区域, the study region (every grid unit of the scope, empty ones included),
  the counts per unit from ``case.cell_id``, :func:`~ops.analysis.hotspots.hotspots` and a cell's membership;
- :mod:`ops.analysis.places`: 多发地点, repeated reports of one 小类 within a small radius (PostGIS DBSCAN per
  小类), ranked, with open and recurred-after-closing counts;
- :mod:`ops.analysis.recurrence`: 复发督办, a report near a recently closed case of the same 小类 linked to it
  (table ``case_recurrence``), the third recurrence at a place escalated through the workflow (incremental step
  of the analysis cycle);
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
  (``guiyang-ops analyze run``);
- :mod:`ops.analysis.peaks`: 时间峰值, the weekday × hour matrix with its peaks (binomial / Poisson tests, BH);
- :mod:`ops.analysis.correlation`: 关联分析, pairs of 小类 reported together in a 1 km square within ±N days
- :mod:`ops.analysis.correlation_snapshot`: the city-wide 30-day correlations, refreshed by the cycle for the page
  (Knox-type statistic, date-permutation Monte Carlo, lift, BH).
- :mod:`ops.analysis.campaigns`: 专项整治 campaigns defined, edited and ended by a lead, with their history;
- :mod:`ops.analysis.campaign_checks`: what makes a campaign acceptable (name, categories, dates, area);
- :mod:`ops.analysis.effect`: a campaign's effect by difference-in-differences (pure numpy/scipy);
- :mod:`ops.analysis.campaign_effect`: campaigns as a user reads them and the weekly counts behind an effect.
- :mod:`ops.analysis.alert_reads`: alerts for a screen or the command line (scoped, by state, newest first, with
  names, GeoJSON and the point) and one alert with its history;
- :mod:`ops.analysis.alert_actions`: what staff do to an alert from a screen (acknowledge, dismiss with a reason,
  escalate).
"""
