"""Train on MNIST in a real browser: train on the sample while watching the progress, then
inspect the result and click a confusion-matrix cell."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from browser import assert_no_exception, shot, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]


def shot_at(page, locator, name):
    """Scroll a part of the page into view, then save what the window shows."""
    locator.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot(page, name)


def tensorflow_in(pid: int) -> list[str]:
    """TensorFlow's shared libraries mapped into a process (Linux)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return sorted({line.split()[-1] for line in maps.splitlines() if "tensorflow" in line})


def test_train_watch_and_inspect(page, app_url, app_server, tmp_path):
    # Open the app at its root first: on a fresh server a deep link skips the router, since a
    # pages/ folder makes Streamlit start in its older multipage mode until st.navigation runs.
    page.goto(app_url)
    wait_idle(page)
    page.goto(f"{app_url}/train_mnist")
    wait_idle(page, timeout=60_000)
    main = page.locator("[data-testid='stMain']")
    # the page opens on the code and its button, before any expander
    code = main.locator("[data-testid='stCode']").first
    code.wait_for()
    assert "mnist.load_data()" in code.inner_text() and "/ 255" in code.inner_text()
    assert "(this server: 6,000 training and 1,000 test digits" in code.inner_text()
    # wrapped, not clipped: nothing hides to the right of the box
    assert code.locator("pre").first.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    train = page.get_by_role("button", name=re.compile("Train it now"))
    first_expander = main.locator("[data-testid='stExpander']").first
    assert train.bounding_box()["y"] < first_expander.bounding_box()["y"]
    shot(page, "train-0-code")
    # the first task, above the curves: Show me lets the gap's sentence show under them
    main.get_by_text("where will the network score higher").first.wait_for()
    main.get_by_role("button", name="Show me").first.click()
    wait_idle(page)
    main.get_by_text("Explore the digits").click()
    wait_idle(page)
    shot_at(page, main.get_by_text("Explore the digits"), "train-1-data")
    main.get_by_text("Every setting: layers").click()  # Build your own
    wait_idle(page)
    assert "407,050 parameters" in main.inner_text()
    shot_at(page, main.get_by_text("Start from a recipe"), "train-1-model")

    epochs = page.get_by_role("spinbutton", name="Epochs (1-30)")
    epochs.fill("15")  # long enough (several seconds on the sample) to watch
    epochs.press("Enter")
    wait_idle(page)
    from playwright.sync_api import expect

    expect(code).to_contain_text("epochs=15, batch_size=128", timeout=30_000)

    train.click()
    seen_progress = False
    deadline = time.monotonic() + 180
    results = main.get_by_text("What your network learned")
    while not results.count():
        assert time.monotonic() < deadline, "training did not finish in 180 s"
        # the visitor's bar counts batches (the shared default model's may show too)
        bar = main.locator("[data-testid='stProgress']").filter(has_text="batch")
        if not seen_progress and bar.count() and "epoch" in bar.first.inner_text():
            seen_progress = True
            assert "digits a second" in main.inner_text() or "digits seen" in main.inner_text()
            shot_at(page, bar, "train-2-training")
        page.wait_for_timeout(200)
    wait_idle(page, timeout=60_000)
    assert_no_exception(page)
    assert seen_progress, "the live progress (epoch and batch) never showed"
    text = main.inner_text()
    assert "Test accuracy" in text and "Finished" in text and "The worst mistakes" in text
    accuracy = float(re.search(r"Test accuracy\s+([\d.]+)%", text).group(1))
    assert accuracy > 85
    shot_at(page, results, "train-3-results")
    # the live chart names both sets, and a sentence reads their gap
    curves = main.locator("[data-testid='stPlotlyChart']").filter(
        has=page.locator("text=test digits (never trained on)")).first
    assert curves.count() == 1 and "After epoch 15:" in text
    # the model answers on Draw only once chosen
    main.get_by_role("button", name=re.compile("Use my model on Draw")).click()
    wait_idle(page)
    main.get_by_text("Your model answers on").wait_for()

    # click the confusion-matrix cell "true 3, answered 5"
    chart = main.locator("[data-testid='stPlotlyChart']").filter(
        has=page.locator("text=the network's answer")).first
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(area["x"] + area["width"] * 5.5 / 10, area["y"] + area["height"] * 3.5 / 10)
    wait_idle(page)
    main.get_by_text(re.compile(r"True 3, answered 5: \d+")).wait_for()
    assert_no_exception(page)
    shot_at(page, chart, "train-4-cell")
    shot_at(page, main.get_by_text("The worst mistakes"), "train-5-worst")
    shot_at(page, main.get_by_text("What hidden cells learned"), "train-6-cells")

    # the .keras file the worker wrote, downloaded through the page
    button = main.get_by_role("button", name=re.compile("Download the trained model"))
    button.scroll_into_view_if_needed()
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / "mnist_model.keras"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK" and saved.stat().st_size > 1_000_000

    # the server trained, answered and served the file without loading TensorFlow
    assert tensorflow_in(app_server[0].pid) == []

    # the sidebar names the session's model, on another page too
    page.locator("[data-testid='stSidebarNav'] a", has_text="Home").first.click()
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Your model:" in sidebar
    assert "Trainings run on: CPU" in sidebar or "Trainings run on: GPU" in sidebar
