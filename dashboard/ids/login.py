"""Component IDs of the sign-in page (/login), named once."""

LOGIN_ROOT = "login-root"
LOGIN_TITLE = "login-title"
LOGIN_SUBTITLE = "login-subtitle"
LOGIN_USER = "login-username"
LOGIN_USER_LABEL = "login-username-label"
LOGIN_PASSWORD = "login-password"  # nosec B105 # a UI/state key, not a password
LOGIN_PASSWORD_LABEL = "login-password-label"  # nosec B105 # a UI/state key, not a password
LOGIN_SUBMIT = "login-submit"
LOGIN_ERROR = "login-error"
LOGIN_DEMO = "login-demo"
LOGIN_DEMO_ROW = "login-demo-row"  # pattern type: {"type": LOGIN_DEMO_ROW, "user": name, "pw": password}
LOGIN_TEXT = "login-text"  # pattern type: {"type": LOGIN_TEXT, "k": key} (demo table texts)
LOGIN_NOTE = "login-note"
LOGIN_SIGNED_IN = "login-signed-in"
