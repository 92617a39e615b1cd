"""Notifications outside the browser: routes (where messages go), the outbox (what is to be sent) and delivery
through apprise. The tables and their design: :mod:`db.models.notify`.

apprise logs every URL it loads or posts to, tokens included, at DEBUG: its logger never goes below INFO here, so
``GUIYANG_LOG_LEVEL=DEBUG`` cannot put a bot's token or a mail password into the log."""

import logging

logging.getLogger("apprise").setLevel(logging.INFO)
