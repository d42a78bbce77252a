"""Hostile input in a real browser: crafted links to every page, and bad files in the real uploader.

Each must leave a clear message and a working page: no exception, the page's heading still there,
nothing of the crafted text turned into markup, and a good picture read right after bad ones.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from browser import assert_no_exception, shot, wait_idle
from hostile_support import good_upload, hostile_uploads

from explainer.content import journey

pytestmark = pytest.mark.e2e

CRAFTED = [  # a repeated key, markup, a path, unicode, length, Streamlit's own embed option
    ("term", "<script>alert(1)</script>"), ("term", "<img src=x onerror=alert(2)>"),
    ("term", "[Sign in](https://evil.example)"), ("page", "../../etc/passwd"),
    ("q", "日本語 🧠 ![](https://evil.example/t.png)"), ("long", "x" * 4000), ("embed", "true"),
]


def assert_nothing_injected(page) -> None:
    assert page.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
    assert page.locator("img[src='x'], script:has-text('alert(')").count() == 0


def test_crafted_links_open_every_page_unharmed(page, app_url):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for stop in journey.stops():
        path = stop.page.removeprefix("pages/").removesuffix(".py")
        page.goto(f"{app_url}/{path}?{urlencode(CRAFTED)}")
        wait_idle(page, timeout=60_000)
        main = page.locator("[data-testid='stMain']")
        title = main.locator("h1").first
        title.wait_for()
        assert len(title.inner_text().strip()) > 5, f"{stop.title} has no title"
        assert_no_exception(page)
        assert_nothing_injected(page)
        assert len(main.inner_text()) > 150, f"{stop.title} lost its content"
        if stop.page == "pages/glossary.py":  # the last value of a repeated key, as plain text
            box = page.get_by_label("Find a term")
            assert box.input_value() == "[Sign in](https://evil.example)"
            assert "No term matches your search." in main.inner_text()
            shot(page, "hostile-glossary-link")
    assert not dialogs


def test_bad_files_in_the_real_uploader_leave_a_working_page(page, app_url, tmp_path):
    from playwright.sync_api import expect

    page.goto(f"{app_url}/draw")
    wait_idle(page, timeout=60_000)
    main = page.locator("[data-testid='stMain']")
    page.get_by_text("Upload a picture", exact=True).click()
    wait_idle(page)
    shot(page, "hostile-upload-empty")
    files = page.locator("input[type='file']")
    error = main.locator("[data-testid='stAlertContentError']")
    uploads = hostile_uploads()
    for name, message in (
            ("truncated PNG", "The picture is damaged or cut short and cannot be decoded."),
            ("random bytes named .png", "This is not an image that can be read"),
            ("PNG of 5000 x 20", "The picture is 5000 x 20 pixels; the limit is 4096 x 4096."),
            ("decompression bomb (header 60000 x 60000)", "a decompression bomb")):
        data, file_name = uploads[name]
        path = tmp_path / file_name
        path.write_bytes(data)
        files.set_input_files(str(path))
        expect(error).to_contain_text(message, timeout=30_000)
        wait_idle(page)
        assert_no_exception(page)
        assert "centre of mass at row" not in main.inner_text()
        page.get_by_role("heading", name="Draw a digit").first.wait_for()
    shot(page, "hostile-upload-refused")

    # Refused by the browser before the server sees it: over 5 MB, a text file
    big = tmp_path / "huge.png"
    big.write_bytes(uploads["over 5 MB"][0])
    files.set_input_files(str(big))
    refused = main.locator("[data-testid='stFileChip'][aria-invalid='true']")
    expect(refused.filter(has_text="huge.png")).to_contain_text("File must be 5.0MB or smaller")
    notes = tmp_path / "notes.txt"
    notes.write_bytes(uploads["text"][0])
    files.set_input_files(str(notes))
    expect(refused.filter(has_text="notes.txt")).to_contain_text("not allowed")
    wait_idle(page)
    assert_no_exception(page)
    shot(page, "hostile-upload-by-the-browser")

    good = tmp_path / "one.png"
    good.write_bytes(good_upload())
    files.set_input_files(str(good))
    expect(main.get_by_text("PNG, 120 x 120 pixels.")).to_be_visible(timeout=30_000)
    expect(main.get_by_text("centre of mass at row", exact=False)).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert error.count() == 0
    assert_no_exception(page)
    shot(page, "hostile-upload-then-good")
