"""研判预警: the analysis engine over the case data (issue 13).

Pure functions over numpy arrays / pandas frames do the statistics; thin SQL around them reads the counts. Each
capability is its own module:

- :mod:`ops.analysis.scope`: whose cases an analysis reads (city, a district, a department's categories);
- :mod:`ops.analysis.alert_states`: the alert state machine (new → acknowledged → dismissed / campaign /
  escalated) and its append-only history;
- :mod:`ops.analysis.campaigns`: 专项整治 campaigns defined, edited and ended by a lead, with their history;
- :mod:`ops.analysis.campaign_checks`: what makes a campaign acceptable (name, categories, dates, area);
- :mod:`ops.analysis.effect`: a campaign's effect by difference-in-differences (pure numpy/scipy);
- :mod:`ops.analysis.campaign_effect`: campaigns as a user reads them and the weekly counts behind an effect.
"""
