"""Browser fixtures: a real `streamlit run app.py` on a free port, driven by Playwright in Chromium.

Without a Chromium the browser tests skip, except under CI (the CI variable set): there a missing
browser fails, since CI installs one.
"""

from __future__ import annotations

import os

import pytest
from browser import SHOTS

from bench.appserver import CHROMIUM_FLAGS, find_chromium, start_app, stop_app
from explainer.data.mnist import SAMPLE_PATH


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no Chromium was found (apt-get install -y chromium)")
        pytest.skip("no Chromium found: install Debian's chromium to run the browser tests")
    try:
        import playwright  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but playwright is not installed")
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    return path


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server[1]


@pytest.fixture(scope="session")
def app_server(chromium_path, tmp_path_factory):
    """Start the app once for the browser tests; stop it afterwards: (process, url).

    Its MNIST is the shipped sample and its model cache a fresh folder, so the default model the
    Draw page needs is trained in seconds, by this server, every run.
    """
    SHOTS.mkdir(exist_ok=True)
    env = {"MNIST_DIR": str(SAMPLE_PATH),
           "EXPLAINER_CACHE_DIR": str(tmp_path_factory.mktemp("model-cache"))}
    try:
        process, url = start_app(SHOTS / "server.log", env=env)
    except RuntimeError as exc:
        pytest.fail(f"{exc} (see screenshots/server.log)")
    yield process, url
    stop_app(process)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
