"""Shared fixtures: the repo root, page tests through AppTest, MNIST from MNIST_DIR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)  # AppTest and st.Page resolve page paths from the working directory


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def full_mnist_dir() -> Path:
    """The folder of the four official files, or a skip when MNIST_DIR is not set."""
    location = os.environ.get("MNIST_DIR")
    if not location:
        pytest.skip("MNIST_DIR is not set: the full MNIST set is not available")
    return Path(location)


@pytest.fixture(scope="session", autouse=True)
def _stop_test_redis():
    """The test session's Redis (tests/backends.py) ends with the session."""
    yield
    import backends

    backends.stop_redis()


@pytest.fixture(scope="session")
def nginx_path() -> str:
    """Debian's nginx, for the serve command's tests; a skip without it, a failure under CI."""
    from explainer.serve import nginx

    found = nginx.find_nginx()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but nginx is missing (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found
