"""After a big import the objects that live as long as the server are frozen, garbage is not."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# In a fresh interpreter: a first call freezes what is there when the interpreter started with
# enough modules (a bare one in a virtual environment has a few dozen, one whose site-packages
# runs .pth files has more), a big import (pandas) makes the next call freeze, a small one does
# not.
# Reported: how many modules were there before the first call, the calls' answers, how many
# objects a full collection still walks, and whether a piece of cyclic garbage made before the
# freeze was collected.
PROBE = textwrap.dedent("""
    import gc, json, sys, weakref
    from explainer.server import long_lived

    class Node:
        pass

    started_with = len(sys.modules)
    answers = [long_lived.freeze_new_imports()]
    walked_before = len(gc.get_objects())
    import pandas  # hundreds of modules
    tracked_after_import = len(gc.get_objects())
    garbage = Node(); garbage.self = garbage; dead = weakref.ref(garbage); del garbage
    answers.append(long_lived.freeze_new_imports())
    walked_after = len(gc.get_objects())
    import colorsys  # one small module: not worth a collection
    answers.append(long_lived.freeze_new_imports())
    print(json.dumps({"started_with": started_with, "threshold": long_lived.NEW_MODULES,
                      "answers": answers, "walked_before": walked_before,
                      "tracked_after_import": tracked_after_import,
                      "walked_after": walked_after, "garbage_collected": dead() is None,
                      "frozen": gc.get_freeze_count()}))
""")


def test_a_big_import_is_frozen_and_garbage_is_collected_first():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    first = seen["started_with"] >= seen["threshold"]  # whatever the interpreter started with
    assert seen["answers"] == [first, True, False]
    # the import brought tens of thousands of objects; after the freeze a collection walks none
    # of them (what is left are the few made since)
    assert seen["tracked_after_import"] - seen["walked_before"] > 20_000
    assert seen["walked_after"] < 1_000
    assert seen["frozen"] > seen["tracked_after_import"] // 2
    assert seen["garbage_collected"]  # collected before the freeze, not kept forever


APP_PROBE = textwrap.dedent("""
    import gc, json, sys
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("app.py", default_timeout=120)
    at.run()
    home = gc.get_freeze_count()
    tensorflow_before = "tensorflow" in sys.modules
    at.switch_page("pages/train_mnist.py")  # the page that trains imports TensorFlow
    at.run()
    print(json.dumps({"home": home, "tensorflow_before": tensorflow_before,
                      "tensorflow_after": "tensorflow" in sys.modules,
                      "page": gc.get_freeze_count(), "walked": len(gc.get_objects()),
                      "exceptions": len(at.exception)}))
""")


def test_the_router_freezes_what_a_page_imported():
    result = subprocess.run([sys.executable, "-c", APP_PROBE], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["exceptions"] == 0
    assert seen["home"] > 50_000  # streamlit, pandas, numpy: frozen after the first run
    assert not seen["tensorflow_before"] and seen["tensorflow_after"]
    assert seen["page"] > seen["home"] + 200_000  # TensorFlow's objects, frozen after the run
    assert seen["walked"] < seen["page"] // 5  # what a collection still walks
