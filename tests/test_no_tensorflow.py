"""The web process never imports TensorFlow: not for concept pages, nor to train, answer a
drawing, dream or download a model. Each check runs the app in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from explainer.content import journey
from explainer.data.mnist import SAMPLE_PATH

CONCEPT_SECTIONS = ("Start", "Building blocks", "Learning")

SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60)
at.run()
report = {"router": sorted(m for m in ("tensorflow", "keras") if m in sys.modules),
          "exceptions": [str(e.value) for e in at.exception]}
for page in sys.argv[1:]:
    at.switch_page(page)
    at.run()
    report["exceptions"] += [f"{page}: {e.value}" for e in at.exception]
report["pages"] = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
print(json.dumps(report))
"""


def test_router_and_concept_pages_leave_tensorflow_unloaded(root):
    pages = [s.page for section in CONCEPT_SECTIONS for s in journey.stops(section)]
    assert "pages/home.py" in pages
    result = subprocess.run([sys.executable, "-c", SCRIPT, *pages], cwd=root, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == []
    assert report["router"] == [], "app.py imported TensorFlow/Keras"
    assert report["pages"] == [], f"a concept page imported {report['pages']}"


def test_the_explainer_package_imports_without_tensorflow(root):
    code = ("import sys, explainer, explainer.data.mnist, explainer.training.spec, "
            "explainer.training.pool, explainer.training.default_model, "
            "explainer.training.local_pool, explainer.content.journey; "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr[-2000:]


SESSION = """
import json, sys, time
import numpy as np
sys.path.insert(0, "tests")
from draw_support import canvas_value, on_canvas
from streamlit.testing.v1 import AppTest
from explainer.data.mnist import load_sample

at = AppTest.from_file("app.py", default_timeout=120)
at.run()
at.switch_page("pages/train_mnist.py")
at.run()
at.number_input(key="epochs").set_value(1)
at.number_input(key="cells").set_value(64).run()
at.button(key="train_start").click().run()
training = at.session_state["train_training"]
while training.running:
    time.sleep(0.5)
at.run()
at.run()
model = at.session_state["session_model"]
downloaded = model.keras_bytes()  # what the download button's callable returns
at.session_state["own_model_on_draw"] = True  # as "Use my model on Draw" on the Train page
at.switch_page("pages/draw.py")
at.run()
key = f"draw_canvas_{at.session_state['draw_round']}"
at.session_state[key] = canvas_value(on_canvas(load_sample().x_test[0], 0.7))
at.run()
at.radio(key="check_draw_dream").set_value("A clear 9").run()  # the dream shows after a guess
at.slider(key="dream_steps").set_value(20).run()
answered = [m.value for m in at.metric if m.label == "The network reads"]
from explainer.training import pool
workers = pool.shared_backend().worker_pids()
print(json.dumps({
    "exceptions": [str(e.value)[:300] for e in at.exception],
    "answered": answered, "dreamed": any(m.label.startswith("P(") for m in at.metric),
    "download": downloaded[:2].decode(), "workers": len(workers),
    "modules": sorted(m for m in ("tensorflow", "keras") if m in sys.modules),
    "mapped": sorted({line.split()[-1].rsplit("/", 1)[-1] for line in open("/proc/self/maps")
                      if "tensorflow" in line}),
}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_a_session_that_trains_draws_dreams_and_downloads_leaves_tensorflow_out(root, tmp_path):
    env = {**os.environ, "MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", SESSION], cwd=root, capture_output=True,
                            text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == []
    assert len(report["answered"]) == 1 and report["dreamed"]
    # workers did the training: the visitor's, and the shared default model's, which the Train
    # page starts on an empty cache (it may have finished first and shared the same worker)
    assert report["download"] == "PK" and report["workers"] in (1, 2)
    assert report["modules"] == [], f"the web process imported {report['modules']}"
    assert report["mapped"] == [], f"TensorFlow's libraries were loaded: {report['mapped']}"
