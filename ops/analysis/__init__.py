"""研判预警: the analysis engine over the case data (issue 13).

Pure functions over numpy arrays / pandas frames do the statistics; thin SQL around them reads the counts. Each
capability is its own module:

- :mod:`ops.analysis.scope`: whose cases an analysis reads (city, a district, a department's categories);
- :mod:`ops.analysis.alert_states`: the alert state machine (new → acknowledged → dismissed / campaign /
  escalated) and its append-only history;
- :mod:`ops.analysis.places`: 多发地点, repeated reports of one 小类 within a small radius (PostGIS DBSCAN per
  小类), ranked, with open and recurred-after-closing counts;
- :mod:`ops.analysis.recurrence`: 复发督办, a report near a recently closed case of the same 小类 linked to it
  (table ``case_recurrence``), the third recurrence at a place escalated through the workflow (incremental step
  of the analysis cycle).
"""
