"""A browser through the serve command's nginx keeps its server: an upload on Draw is read.

Streamlit keeps a session's uploads in the process that made the session, so without affinity
the upload (an HTTP request of its own, beside the session's WebSocket) would land on the other
server and be refused. Two servers, each with its own shared networks read from a seeded cache.
"""

from __future__ import annotations

import pytest
from browser import assert_no_exception, shot, wait_idle
from draw_support import on_canvas, png_bytes, seed_default_cache, trained_on_sample
from serve_support import serving

from explainer.concepts.models.reading import Reader
from explainer.data.mnist import SAMPLE_PATH, load_sample
from explainer.serve import nginx

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_upload_through_the_balancer_is_read_on_its_own_server(browser, tmp_path):
    from playwright.sync_api import expect

    cache = tmp_path / "cache"
    cache.mkdir()
    seed_default_cache(cache)
    env = {"MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(cache)}
    with serving("--replicas", "2", env=env) as served:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(served.url)
        wait_idle(page)
        home = {c["name"]: c["value"] for c in context.cookies()}[nginx.COOKIE]
        page.goto(f"{served.url}/draw")
        wait_idle(page, timeout=60_000)
        main = page.locator("[data-testid='stMain']")
        expect(main).to_contain_text("Answering:", timeout=120_000)
        page.get_by_text("Upload a picture", exact=True).click()
        wait_idle(page)
        sample = load_sample()
        readers = [Reader.of(trained_on_sample(augmented)) for augmented in (False, True)]
        four = next(d for d, label in zip(sample.x_test, sample.y_test) if label == 4  # surely
                    and all(r.read(d).digit == 4 and r.read(d).confidence > 0.97
                            for r in readers))
        picture = tmp_path / "four.png"
        picture.write_bytes(png_bytes(on_canvas(four, 0.8)[..., 0]))
        page.locator("input[type='file']").set_input_files(str(picture))
        reads = page.locator("[data-testid='stMetric']", has_text="The network reads")
        expect(reads.locator("[data-testid='stMetricValue']")).to_have_text("4", timeout=30_000)
        wait_idle(page)
        assert_no_exception(page)
        # its figures: the picture's steps, read by that same server
        expect(main).to_contain_text("centre of mass", timeout=30_000)
        assert page.locator("[data-testid='stPlotlyChart']").count() >= 3
        shot(page, "balancer-upload")
        after = {c["name"]: c["value"] for c in context.cookies()}[nginx.COOKIE]
        assert after == home  # every request of the tab went to one server
        context.close()
