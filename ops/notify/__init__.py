"""Notifications outside the browser (issue 14): who is told what, the messages, the transactional outbox and its
delivery worker.

- :mod:`ops.notify.rules`: the one table of who is told what (kind → the case's department and/or roles).
- :mod:`ops.notify.messages`: the message of a kind, in zh or en (never personal data).
- :mod:`ops.notify.outbox`: enqueue, in the caller's transaction: :func:`~ops.notify.outbox.enqueue_for_event`
  (called by :func:`ops.workflow.core.append_event`), :func:`~ops.notify.outbox.enqueue_for_alert` (called by
  :func:`ops.analysis.alert_states.record`); :func:`~ops.notify.outbox.resend` (an admin sends a failed message
  again).
- :mod:`ops.notify.lights`: the deadline lights turning yellow and red (not events: a periodic scan).
- :mod:`ops.notify.deliver`: one message through apprise (:func:`~ops.notify.deliver.send`).
- :mod:`ops.notify.worker`: the delivery loop (``guiyang-ops notify run``).

Only :mod:`ops.notify.deliver` imports apprise (slow to import), and only when it sends.
"""
