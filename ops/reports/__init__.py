"""Reports made from the evaluation: the monthly assessment report (月度考核通报), as data
(:mod:`ops.reports.monthly`), as HTML and PDF (:mod:`ops.reports.render`)."""
