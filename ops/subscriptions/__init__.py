"""Area subscriptions (区域订阅): staff and registered citizens are told of new reports and closures in an area of
their choosing, through the notification outbox. The table and its design: :mod:`db.models.subscriptions`.

- :mod:`ops.subscriptions.areas`: the area (a GeoJSON polygon, or a point and a radius), validated;
- :mod:`ops.subscriptions.channels`: where messages go (an apprise URL, a citizen's webhook, an e-mail address),
  validated and masked;
- :mod:`ops.subscriptions.store`: add (validated first), list (channels masked), pause/resume, remove, each
  recorded in the audit log;
- :mod:`ops.subscriptions.matching`: :func:`~ops.subscriptions.matching.enqueue_for_event`, called by
  :func:`ops.workflow.core.append_event` in the transaction of every case event;
- :mod:`ops.subscriptions.messages`: what a message says: for staff the case as the workbench names it (text
  masked like every notification), for citizens only the public view (ticket, 小类, district and the grid
  cell's point, the status in plain words).
"""
