"""Component IDs, named once: the app-wide ones here (the header, the language), each page's in its own module
beside this one (``login``, ``workbench``, ``wall``, ``stats``, ``moderation``, ``public``, ``grid_map``,
``desk_intake``, ``feedback``).

The rule (held by ``tests/dashboard/test_ids.py``): every ID string is a constant of this package, starts with
its module's prefix (``gy-`` here; ``login-``, ``wb-``, ``wall-``, ``stats-``, ``mod-``, ``pub-``, ``grid-``, ``di-``, ``fb-``) and
is defined once; the browser tests and the assets' JavaScript use the same strings.
"""

LANG = "gy-lang"
LANG_SWITCH = "gy-lang-switch"
URL = "gy-url"
HEADER = "gy-header"
NAV = "gy-nav"
USER_MENU = "gy-user"
LOGOUT = "gy-logout"
SIGNIN_ALERTS = "gy-signin-alerts"
LABEL_PANE = "gy-labels"  # the pane of the district names on every staff and public map (components/district_labels.py)
ACCESS_REDIRECT = "gy-access-redirect"
DENIED = "gy-denied"
NOT_FOUND = "gy-not-found"
