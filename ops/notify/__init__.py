"""Notifications outside the browser (issue 14): where messages go, who is told what, the messages, the
transactional outbox, its delivery worker and its administration. The tables and their design:
:mod:`db.models.notify`.

- :mod:`ops.notify.rules`: the one table of who is told what (kind → the case's department and/or roles).
- :mod:`ops.notify.messages`: the message of a kind, in zh or en (never personal data).
- :mod:`ops.notify.outbox`: enqueue, in the caller's transaction: :func:`~ops.notify.outbox.enqueue_for_event`
  (called by :func:`ops.workflow.core.append_event`), :func:`~ops.notify.outbox.enqueue_for_alert` (called by
  :func:`ops.analysis.alert_states.record`).
- :mod:`ops.notify.lights`: the deadline lights turning yellow and red (not events: a periodic scan).
- :mod:`ops.notify.deliver`: one message through apprise (:func:`~ops.notify.deliver.send`).
- :mod:`ops.notify.worker`: the delivery loop (``guiyang-ops notify run``).
- :mod:`ops.notify.routes`: routes as data (add, validated; list, masked; remove).
- :mod:`ops.notify.secrets`: the one masking of a route's URL (tokens, passwords) for screens, commands and logs.
- :mod:`ops.notify.outbox_admin`: the outbox as admins see it (counts, recent messages, send a failed one again).
- :mod:`ops.notify.probe`: ``notify test`` and the admin page's test message.

apprise logs every URL it loads or posts to, tokens included: its logger does not propagate to the application's
log (here, before anything of this package loads apprise; :mod:`ops.notify.deliver` then keeps what a failed send
said for its error), so ``GUIYANG_LOG_LEVEL=DEBUG`` cannot put a bot's token or a mail password into the log.
"""

import logging

_apprise_log = logging.getLogger("apprise")
_apprise_log.propagate = False
_apprise_log.addHandler(logging.NullHandler())
