"""The router and the concept pages never pay TensorFlow's import: checked in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

from explainer.content import journey

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
    code = ("import sys, explainer, explainer.data.mnist, explainer.training.model, "
            "explainer.content.journey; "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr[-2000:]
