"""研判预警: the analysis engine over the case data (issue 13).

Pure functions over numpy arrays / pandas frames do the statistics; thin SQL around them reads the counts. Each
capability is its own module:

- :mod:`ops.analysis.scope`: whose cases an analysis reads (city, a district, a department's categories);
- :mod:`ops.analysis.alert_states`: the alert state machine (new → acknowledged → dismissed / campaign /
  escalated) and its append-only history;
- :mod:`ops.analysis.alert_reads`: alerts for a screen or the command line (scoped, by state, newest first, with
  names, GeoJSON and the point) and one alert with its history;
- :mod:`ops.analysis.alert_actions`: what staff do to an alert from a screen (acknowledge, dismiss with a reason,
  escalate).
"""
