"""Component IDs of the administration pages' section bar (``dashboard.components.admin_nav``), named once.

A section's link is a pattern-matching ID ``{"type": LINK, "path": "/admin/..."}``."""

BAR = "admn-bar"
LINK = "admn-link"
