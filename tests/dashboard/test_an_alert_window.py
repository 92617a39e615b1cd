"""An alert's window in words: a window that grew by a minute (a live alert taking a later finding) still reads
"近2小时", not "近2.01675小时"."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from dashboard.components.an_alertui import window_label


@pytest.mark.parametrize(
    ("hours", "zh", "en_part"),
    [(2.0, "近2小时", "2"), (2.01675, "近2小时", "2"), (1.5, "近1.5小时", "1.5"), (24.02, "近24小时", "24")],
)
def test_window_words(hours: float, zh: str, en_part: str) -> None:
    alert: Any = SimpleNamespace(hours=hours)
    assert window_label(alert, "zh") == zh
    assert en_part in window_label(alert, "en") and "." not in window_label(alert, "en").replace("1.5", "")
