"""The app in Chromium through nginx, two servers behind it (``python -m explainer.serve``).

A picture uploaded on the Draw page goes to the server holding the tab's session (its upload
PUT, then the figures' media files): without a route cookie that keeps the browser on its server,
it goes to the other one (nginx's "fewest connections", the tab's WebSocket being on the first)
and the answer never comes. The same after the browser's server is killed: it moves to the other
server and stays there once the killed one is back.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
import segno
from browser import SHOTS, assert_no_exception, shot, wait_idle
from draw_support import on_canvas, png_bytes, seed_default_cache, trained_on_sample
from qr_support import modules_of_png

from bench.cluster import start_cluster
from explainer.concepts.models.reading import Reader
from explainer.data.mnist import SAMPLE_PATH, load_sample
from explainer.serve import nginx
from explainer.serve.nginx import COOKIE

pytestmark = [pytest.mark.e2e, pytest.mark.serve]


@pytest.fixture(scope="module")
def cluster(chromium_path, tmp_path_factory):
    if nginx.find_nginx() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but nginx is missing (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    SHOTS.mkdir(exist_ok=True)
    cache = tmp_path_factory.mktemp("model-cache")
    seed_default_cache(cache)  # both shared networks, trained once on the sample for every test
    env = {"MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(cache)}
    running = start_cluster(2, SHOTS / "balancer.log", env)
    yield running
    assert running.stop() == 0


@pytest.fixture()
def page(browser, cluster):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def route(page) -> str | None:
    """The server the browser's route cookie names."""
    cookie = next((c for c in page.context.cookies() if c["name"] == COOKIE), None)
    return cookie["value"].split(".")[0] if cookie else None


def answer(page):
    metric = page.locator("[data-testid='stMetric']", has_text="The network reads")
    return metric.locator("[data-testid='stMetricValue']")


def open_draw(page, url: str) -> None:
    page.goto(url + "/draw")
    wait_for_the_model(page)


def wait_for_the_model(page) -> None:
    wait_idle(page, timeout=60_000)
    main = page.locator("[data-testid='stMain']")
    deadline = time.monotonic() + 240
    while "Answering:" not in main.inner_text():
        assert "could not be prepared" not in main.inner_text()
        assert time.monotonic() < deadline, "no shared network was ready after 240 s"
        page.wait_for_timeout(1000)


def upload_a_digit(page, tmp_path, label: int, name: str) -> None:
    from playwright.sync_api import expect

    sample = load_sample()
    readers = [Reader.of(trained_on_sample(augmented)) for augmented in (False, True)]
    digit = next(d for d, y in zip(sample.x_test, sample.y_test) if y == label  # read surely
                 and all(r.read(d).digit == label and r.read(d).confidence > 0.97
                         for r in readers))
    picture = tmp_path / f"{name}.png"
    picture.write_bytes(png_bytes(on_canvas(digit, 0.8)[..., 0]))
    page.get_by_text("Upload a picture", exact=True).click()
    wait_idle(page)
    page.locator("input[type='file']").set_input_files(str(picture))
    expect(answer(page)).to_have_text(str(label), timeout=60_000)
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("heading", name="From your strokes").scroll_into_view_if_needed()
    expect(main.locator("[data-testid='stImage'] img, .js-plotly-plot").first).to_be_visible()
    assert_no_exception(page)


def test_the_home_page_offers_the_shared_address_as_a_qr_code(page, cluster):
    page.goto(cluster.url)
    wait_idle(page, timeout=60_000)
    main = page.locator("[data-testid='stMain']")
    assert f"Join from a phone or laptop: {cluster.url}" in main.inner_text()
    shot(page, "balancer-home")
    page.get_by_role("button", name="Show the QR code").click()
    dialog = page.get_by_role("dialog")
    image = dialog.locator("[data-testid='stImage'] img").first
    image.wait_for()
    assert cluster.url in dialog.inner_text()
    picture = page.request.get(image.evaluate("img => img.src"))
    assert picture.ok  # a media file of the tab's server: reached through its cookie
    expected = [list(row) for row in segno.make(cluster.url, error="m").matrix]
    assert modules_of_png(picture.body()) == expected
    shot(page, "balancer-home-qr")


def test_an_upload_reaches_the_tabs_server_through_nginx(page, cluster, tmp_path):
    open_draw(page, cluster.url)
    home = route(page)
    assert home in ("s1", "s2")
    upload_a_digit(page, tmp_path, 4, "four")
    assert route(page) == home
    shot(page, "balancer-draw-upload")


def test_a_killed_server_s_visitor_moves_and_stays_after_it_comes_back(page, cluster, tmp_path):
    open_draw(page, cluster.url)
    home = route(page)
    other = "s2" if home == "s1" else "s1"
    # A file the tab is downloading when its server dies fails for good in that tab (Chromium
    # keeps a failed script import): let it finish loading the page's charts first
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_load_state("networkidle")
    killed = cluster.program(home).pid
    os.kill(killed, signal.SIGKILL)
    page.wait_for_timeout(100)
    # the tab notices at once and asks again through nginx, before the server is back
    page.request.get(cluster.url + "/_stcore/health")
    assert route(page) == other
    cluster.wait_until(lambda s: next(p for p in s.programs if p.name == home).state == "up"
                       and next(p for p in s.programs if p.name == home).pid != killed,
                       120, f"{home} restarted")
    wait_for_the_model(page)  # the tab reconnected by itself: a new session, the same page
    upload_a_digit(page, tmp_path, 7, "seven")
    assert route(page) == other
    assert f"{home}: ended (killed by signal 9)" in cluster.text()
    shot(page, "balancer-after-a-kill")
