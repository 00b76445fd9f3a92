"""`import zoo` alone is enough to load a saved `.keras` model, in a fresh process."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

import zoo  # noqa: F401
import keras

from zoo.models import BertBackbone, CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone, TextClassifier

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
IDS = [[5, 6, 7]]
INPUTS = {
    "backbone": {"token_ids": IDS},
    "causal_lm": {"token_ids": IDS},
    "classifier": {"token_ids": IDS},
    "seq2seq_lm": {"encoder_token_ids": IDS, "encoder_padding_mask": [[1, 1, 1]], "decoder_token_ids": IDS},
}

# Runs in a fresh interpreter: only `import zoo` (and keras, numpy) before loading.
LOAD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import zoo
    import keras

    directory, inputs = sys.argv[1], json.loads(sys.argv[2])
    for name, arrays in inputs.items():
        model = keras.saving.load_model(f"{directory}/{name}.keras")
        outputs = model({key: np.array(value, "int32") for key, value in arrays.items()}, training=False)
        flat = keras.tree.flatten(keras.tree.map_structure(np.asarray, outputs))
        expected = np.load(f"{directory}/{name}.npz")
        for index, output in enumerate(flat):
            np.testing.assert_array_equal(output, expected[f"arr_{index}"])
        print(name, type(model).__name__)
""")


def numpy_inputs(name):
    return {key: np.array(value, "int32") for key, value in INPUTS[name].items()}


def test_keras_files_load_after_a_bare_import_zoo(tmp_path):
    keras.utils.set_random_seed(0)
    models = {
        "backbone": GPTBackbone.from_preset("gpt_tiny", num_layers=1),
        "causal_lm": CausalLM(GPTBackbone.from_preset("gpt_tiny", num_layers=1)),
        "classifier": TextClassifier(BertBackbone.from_preset("bert_tiny", num_layers=1), num_classes=2),
        "seq2seq_lm": Seq2SeqLM(T5Backbone.from_preset("t5_tiny", num_layers=1)),
    }
    for name, model in models.items():
        model.save(tmp_path / f"{name}.keras")
        outputs = model(numpy_inputs(name), training=False)
        np.savez(tmp_path / f"{name}.npz", *keras.tree.flatten(keras.tree.map_structure(np.asarray, outputs)))
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(tmp_path), json.dumps(INPUTS)], cwd=tmp_path, capture_output=True,
        text=True, timeout=600, env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [
        "backbone", "GPTBackbone", "causal_lm", "CausalLM", "classifier", "TextClassifier", "seq2seq_lm",
        "Seq2SeqLM",
    ]
