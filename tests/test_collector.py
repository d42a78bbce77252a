"""The collection Streamlit runs after every script run walks only what the pages made since."""

import json
import subprocess
import sys

from helpers import ROOT

from explainer.content import journey

EVERY_PAGE = """
import gc, json, sys
from streamlit.testing.v1 import AppTest
pages = sys.argv[1:]
at = AppTest.from_file("app.py", default_timeout=120)
at.run()
for page in pages:
    at.switch_page(page).run()
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
gc.collect()
print(json.dumps({"walked": len(gc.get_objects()), "set_aside": gc.get_freeze_count(),
                  "tensorflow": any(m.split(".")[0] in ("tensorflow", "keras")
                                    for m in sys.modules)}))
"""


def test_after_every_page_the_collector_walks_a_small_part_of_the_objects():
    pages = [stop.page for stop in journey.stops() if stop.section != "MNIST"]
    result = subprocess.run([sys.executable, "-c", EVERY_PAGE, *pages], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    # Without the freeze a full collection walked all of them: about 135,000 (docs/benchmarks.md).
    assert figures["set_aside"] > 60_000, figures
    assert figures["walked"] < figures["set_aside"] / 3, figures
    assert not figures["tensorflow"]  # setting the imports aside imported no Keras


def test_setting_aside_happens_once_per_process():
    code = ("import gc; from explainer.server import collector; "
            "first = collector.set_aside_imports(); frozen = gc.get_freeze_count(); "
            "print(first, collector.set_aside_imports(), gc.get_freeze_count() == frozen)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.split() == ["True", "False", "True"], result.stderr[-2000:]
