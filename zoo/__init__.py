"""zoo: Keras 3 / TensorFlow BERT, GPT and T5 models, task heads, recipes and TF Serving export."""

import os

# Keras 3 must run on the TensorFlow backend: every layer here is meant to live in a tf.function/SavedModel.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
