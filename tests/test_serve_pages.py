"""What the pages show when the serve command runs them, driven through AppTest: the address as
a QR code on Home, the host page behind its key; and nothing of it under a plain
``streamlit run app.py``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import segno
from qr_support import modules_of_png
from streamlit.testing.v1 import AppTest

from explainer.serve import status
from explainer.serve.supervisor import Program

ROOT = Path(__file__).resolve().parents[1]
URL = "http://192.168.1.20:8500"


@pytest.fixture()
def served(monkeypatch, tmp_path):
    """The environment the serve command gives its servers, with a status file of 2 servers."""
    programs = [Program("s1", ["x"], "server", tmp_path / "s1.log", port=40001, state="up"),
                Program("s2", ["x"], "server", tmp_path / "s2.log", port=40002, restarts=1,
                        state="restarting"),
                Program("nginx", ["x"], "balancer", tmp_path / "n.log", port=8500, state="up")]
    for program in programs:
        program.since = time.time() - 125
    path = tmp_path / "status.json"
    status.write(path, URL, time.time() - 600, programs)
    for name, value in {status.SHARE_URL_VARIABLE: URL, status.STATUS_VARIABLE: str(path),
                        status.HOST_KEY_VARIABLE: "k3y", status.SERVER_VARIABLE: "s1"}.items():
        monkeypatch.setenv(name, value)
    return path


def share_lines(at) -> list[str]:
    return [m.value for m in at.markdown if "Join from a phone" in m.value]


def test_home_offers_the_address_and_a_button_for_its_qr_code(served):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert len(share_lines(at)) == 1 and f"**{URL}**" in share_lines(at)[0]
    at.button(key="share_qr").click().run()  # the code itself, in a dialog: tests/e2e
    assert not at.exception


def test_a_plain_streamlit_run_shows_no_code_and_has_no_host_page(monkeypatch):
    for name in (status.SHARE_URL_VARIABLE, status.STATUS_VARIABLE, status.HOST_KEY_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and share_lines(at) == []
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/host.py")


def test_an_address_that_is_not_http_shows_no_code(served, monkeypatch):
    monkeypatch.setenv(status.SHARE_URL_VARIABLE, "javascript:alert(1)")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and share_lines(at) == []


def host_page(key: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/host.py")
    if key is not None:
        at.query_params["key"] = key
    return at.run()


def test_the_host_page_needs_its_key(served):
    for key in (None, "wrong", "k3y" * 50):
        at = host_page(key)
        assert not at.exception
        assert at.metric == [] and "host of the class" in at.info[0].value


def test_the_host_page_shows_the_servers_up_and_their_restarts(served):
    at = host_page("k3y")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Servers up"] == "1 of 2"
    assert metrics["Trainings running"] == metrics["Trainings waiting"] == "0"
    assert metrics["Queue workers"] == "none"
    table = at.dataframe[0].value
    assert list(table["Process"]) == ["s1 (this page)", "s2", "nginx"]
    assert list(table["Restarts"]) == [0, 1, 0]
    assert "restarting" in table["State"][1] and table["For"][0].startswith("2 min ")  # 125 s


def test_the_host_page_says_so_when_the_status_cannot_be_read(served):
    served.write_text("{broken")
    at = host_page("k3y")
    assert not at.exception and "cannot be read" in at.warning[0].value


def test_the_qr_code_on_the_page_encodes_the_address():
    from pages.shared.share_qr import qr_png

    url = "http://192.168.1.20:8500"
    for width in (200, 540):
        png = qr_png(url, width)
        assert modules_of_png(png) == [list(row) for row in segno.make(url, error="m").matrix]
    other = segno.make("http://192.168.1.21:8500", error="m").matrix
    assert modules_of_png(qr_png(url)) != [list(row) for row in other]
