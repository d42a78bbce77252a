"""The server's memory: freed big buffers go back to the system, so visitors leave no trace."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One 16 MB buffer freed (glibc then raises its mmap threshold), then 100 buffers of 1 MB, all
# freed but the last: the resident memory that stays with the process, in MB.
PROBE = textwrap.dedent("""
    import sys
    from explainer.server import server_memory

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    if sys.argv[1] == "flat":
        assert server_memory.keep_memory_flat(), "the thresholds were not set"
    del bytearray(16 << 20)[:]
    before = rss_mb()
    buffers = [bytearray(1 << 20) for _ in range(100)]
    last = buffers.pop()
    del buffers
    print(rss_mb() - before)
""")


def memory_kept_mb(mode: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    result = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    return float(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc")
def test_freed_buffers_go_back_to_the_system():
    assert memory_kept_mb("default") > 80  # glibc's default keeps the freed 99 MB
    assert memory_kept_mb("flat") < 10


def test_operator_setting_wins(monkeypatch):
    from explainer.server import server_memory

    monkeypatch.setattr(server_memory, "_flat", False)  # as in a fresh process
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert server_memory.keep_memory_flat() is False


def test_router_sets_it_before_the_pages():
    source = (ROOT / "app.py").read_text()
    assert source.index("server_memory.keep_memory_flat()") < source.index("page.run()")
