"""zoo: Keras 3 / TensorFlow BERT, GPT and T5 models, task heads, recipes and TF Serving export.

`import zoo` sets the Keras backend and imports `zoo.models`, which registers every Keras-serializable class
(backbones and task models), so `keras.saving.load_model("model.keras")` works after a bare `import zoo`.
This loads TensorFlow: `python -m zoo.recipes.<task> --help` therefore takes seconds, not a fraction of one.
"""

import os

# Keras 3 must run on the TensorFlow backend: every layer here is meant to live in a tf.function/SavedModel.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

from zoo import models  # noqa: E402  (after the backend is set; registers the serializable classes)
