"""The public map's layers in real Chromium: service points clustered per kind at city zoom and never above the
最美贵阳 photos, district names at their label points in the UI language, and "nearest to me": the visitor's
position and the listed points stand out, the rest fades, and a button clears it. Screenshots at 360×740 and
1280×800, before and after "nearest"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, screenshot

pytestmark = pytest.mark.browser

HERE = {"latitude": 26.5838, "longitude": 106.7135}
SIZES = [({"width": 360, "height": 740}, "phone"), ({"width": 1280, "height": 800}, "desktop")]

PANE_Z = """(sel) => [...document.querySelectorAll(sel)].map((el) => {
    const pane = el.closest('.leaflet-pane');
    return [pane.className, Number(getComputedStyle(pane).zIndex)];
})"""
OPACITY = "(sel) => [...document.querySelectorAll(sel)].map((el) => Number(getComputedStyle(el).opacity))"


def _z_of(page: Page, pane_class: str) -> int:
    return int(
        page.evaluate(f"() => Number(getComputedStyle(document.querySelector('.{pane_class}')).zIndex)")
    )


@pytest.mark.parametrize(("viewport", "name"), SIZES)
def test_clusters_per_kind_under_the_photos_and_nearest_highlighted(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests, viewport: dict[str, int], name: str
) -> None:
    ctx = guarded_context(
        browser,
        app_server.base,
        foreign,
        viewport=viewport,
        geolocation=HERE,
        permissions=["geolocation"],
    )
    page = ctx.new_page()
    page.goto(app_server.base + "/")
    clusters = page.locator(".pub-m-svc-cluster")
    expect(clusters.first).to_be_attached(timeout=20_000)
    expect(page.locator(".pub-m-beauty").first).to_be_attached(timeout=20_000)
    # one cluster group per kind: each cluster carries one kind's class, icon and a count
    kinds = page.evaluate(
        """() => [...document.querySelectorAll('.pub-m-svc-cluster')].map((el) => [
            [...el.classList].filter((c) => c.startsWith('pub-k-')),
            el.querySelector('img').getAttribute('src'), el.querySelector('b').textContent])"""
    )
    assert len({k[0][0] for k in kinds}) >= 3  # several kinds clustered apart
    for classes, src, count in kinds:
        assert len(classes) == 1 and src == f"/assets/icons/{classes[0][6:]}.svg"
        assert count.isdigit() and int(count) >= 2
    # the 最美贵阳 photos in a pane above every service point and cluster
    marker_z = _z_of(page, "leaflet-marker-pane")
    beauty = page.evaluate(PANE_Z, ".pub-m-beauty")
    assert beauty and all("pub-beauty-pane" in cls and z > marker_z for cls, z in beauty)
    assert all(
        "leaflet-marker-pane" in cls for cls, _ in page.evaluate(PANE_Z, ".pub-m-svc-cluster, .pub-m-svc")
    )
    # district names at their label points, above the clusters, in the UI language
    label = page.locator(".gy-district-label span", has_text="云岩区")
    expect(label).to_be_attached(timeout=15_000)
    assert all(z > marker_z for _, z in page.evaluate(PANE_Z, ".gy-district-label"))
    page.wait_for_timeout(600)
    screenshot(page, f"public-{name}-before")

    # nearest to me: the position and the five listed points stand out, the rest fades
    page.get_by_role("tab").nth(1).click()
    page.locator("#pub-near-btn").click()
    expect(page.locator(".pub-near-item")).to_have_count(5, timeout=15_000)
    near = page.locator(".pub-near-m")
    expect(near).to_have_count(5)
    expect(page.locator(".pub-here")).to_have_count(1)
    expect(page.locator("#pub-mapwrap")).to_have_class(re.compile(r"\bpub-nearing\b"))
    page.wait_for_timeout(1500)  # the map flies to the position
    assert [b.text_content() for b in near.locator("b").all()] == ["1", "2", "3", "4", "5"]
    assert all(o == 1 for o in page.evaluate(OPACITY, ".pub-near-m, .pub-here"))
    faded = page.evaluate(OPACITY, ".pub-m-svc, .pub-m-svc-cluster")
    assert faded and all(o < 0.5 for o in faded)
    big = near.first.bounding_box()
    small = page.locator(".pub-m-svc").first.bounding_box()
    assert big and small and big["width"] > small["width"] + 10
    near_z = page.evaluate(PANE_Z, ".pub-near-m")
    assert all(z > marker_z for _, z in near_z)
    screenshot(page, f"public-{name}-nearest")

    # cleared: nothing highlighted, nothing faded
    page.locator("#pub-near-clear").click()
    expect(near).to_have_count(0, timeout=10_000)
    expect(page.locator(".pub-here")).to_have_count(0)
    expect(page.locator("#pub-mapwrap")).not_to_have_class(re.compile(r"\bpub-nearing\b"))
    assert all(o == 1 for o in page.evaluate(OPACITY, ".pub-m-svc, .pub-m-svc-cluster"))

    # the district names follow the language
    page.locator("#pub-lang-switch").click()
    expect(page.locator(".gy-district-label span", has_text="Yunyan District")).to_be_attached(timeout=10_000)
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
    ctx.close()
