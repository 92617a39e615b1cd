"""The citizens' side of the city (百姓拍) behind the Open311 API, in plain functions over a connection (the
caller owns the transaction):

- :mod:`.keys` API keys; :mod:`.idempotency` retries with an ``Idempotency-Key``;
- :mod:`.persons` reporter identity → ``person`` (personal data never leaves the staff side);
- :mod:`.services` the catalog as Open311 services; :mod:`.intake` a report with photos and attributes;
- :mod:`.requests` public service requests; :mod:`.photos` which photo may be served to whom;
- :mod:`.verification` 我来核实 tasks and answers, :mod:`.verification_round` who is asked; :mod:`.points` 积分 rules and ledger; :mod:`.feedback` 意见反馈.
"""
