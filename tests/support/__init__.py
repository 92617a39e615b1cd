"""Helpers shared by the tests (no tests, no fixtures): test modules import from here and from nowhere else in
``tests`` (held by tests/test_imports.py); fixtures live in the conftest files, where pytest injects them."""
