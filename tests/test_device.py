"""TensorFlow's first import from several sessions at once: one thread at a time, no failure."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Four threads import at the same moment, as a training, the default model and two pages may on
# a busy server. Plain `import tensorflow` / `import keras` in four threads fails here nearly every
# time (Python's _DeadlockError, or a half-imported module's AttributeError).
RACE = textwrap.dedent("""
    import json, sys, threading
    from explainer.training import device

    start, errors, models = threading.Barrier(4), [], []

    def first_import():
        try:
            start.wait()
            keras = device.load_keras()
            models.append(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=first_import) for _ in range(4)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    print(json.dumps({"errors": errors, "models": len(models),
                      "tensorflow": "tensorflow" in sys.modules}))
""")


def test_four_sessions_importing_tensorflow_at_once_all_get_it():
    result = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"errors": [], "models": 4, "tensorflow": True}
