"""Helpers for browser tests: wait for Streamlit to settle, save screenshots, check for errors."""

from __future__ import annotations

from pathlib import Path

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script after the last action.

    A rerun starts a moment after the action that asks for it: give it that moment first.
    """
    page.wait_for_timeout(200)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=timeout)
    page.wait_for_timeout(300)  # let charts paint


def shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()
