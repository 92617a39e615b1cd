"""UI strings, one module per area (``common``, ``ops``, ``public`` ...), each defining ``STRINGS``:
key -> (zh-CN, English). ``dashboard.i18n`` merges them; keys are prefixed by area to stay unique."""
