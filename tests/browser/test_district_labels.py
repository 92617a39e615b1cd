"""District names on the staff maps (workbench, grid) in real Chromium: written at the label points the app
serves (geo/labels.py, one rule for every map), in a pane above the pins and clusters, in the UI language."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.app import AppServer
from tests.support.browser import screenshot, sign_in

pytestmark = pytest.mark.browser

LABELS = """() => [...document.querySelectorAll('.gy-district-label')].map((el) => {
    const pane = el.closest('.leaflet-pane');
    const marker = document.querySelector('.leaflet-marker-pane');
    return [el.textContent, pane.className, Number(getComputedStyle(pane).zIndex),
            Number(getComputedStyle(marker).zIndex)];
})"""


@pytest.mark.parametrize("path", ["/workbench", "/grid"])
def test_staff_maps_name_districts_at_their_label_points(
    context: BrowserContext, app_server: AppServer, path: str
) -> None:
    served = httpx.get(app_server.base + "/public/v1/district-labels.json").json()["features"]
    assert len(served) == 10
    page = context.new_page()
    sign_in(page, app_server.base, "lead", path)
    names = page.locator(".gy-district-label span")
    expect(names.filter(has_text="云岩区")).to_be_attached(timeout=20_000)
    labels = page.evaluate(LABELS)
    assert sorted(text for text, *_ in labels) == sorted(f["properties"]["zh"] for f in served)
    assert all("gy-labels" in pane and z > marker_z for _, pane, z, marker_z in labels)
    screenshot(page, "labels" + path.replace("/", "-"))
    page.locator("#gy-lang-switch").click()
    expect(names.filter(has_text="Yunyan District")).to_be_attached(timeout=10_000)
    expect(names.filter(has_text="云岩区")).to_have_count(0)
