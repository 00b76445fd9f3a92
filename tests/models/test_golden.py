"""Golden-number regression: seeded tiny models give the same outputs as when these numbers were recorded.

The numbers pin the initialisation and the forward pass of each backbone (tensorflow 2.20, Keras 3 TF backend).
A change in the maths or in the weight creation order shows up here even when shapes and round trips still pass.
Regenerate deliberately: run this file with ZOO_PRINT_GOLDEN=1 and paste the printed values.
"""

import os

import numpy as np

import zoo  # noqa: F401
import keras

from zoo.models import T5Backbone

IDS = np.array([[5, 17, 42, 7, 99, 3], [8, 1, 64, 2, 0, 0]], "int32")
MASK = IDS > 0

GOLDEN = {
    "bert_tiny": (0.8080997467041016, 0.1458146572113037),
    "gpt_tiny": (0.7974318265914917, -6.728867530822754),
    "t5_tiny": (0.8185926675796509, 16.55730628967285),
    "t5_v1_1_tiny": (0.8246644735336304, 15.320830345153809),
}


def test_golden_numbers(tiny_preset, backbone_inputs):
    cls, preset = tiny_preset
    keras.utils.set_random_seed(1234)
    backbone = cls.from_preset(preset)
    outputs = backbone(backbone_inputs(backbone, IDS, MASK))
    key = "decoder_sequence_output" if isinstance(backbone, T5Backbone) else "sequence_output"
    sequence = keras.ops.convert_to_numpy(outputs[key])[MASK]  # real tokens only
    summary = (float(np.abs(sequence).mean()), float(sequence[:, 0].sum()))
    if os.environ.get("ZOO_PRINT_GOLDEN"):
        print(f'    "{preset}": ({summary[0]!r}, {summary[1]!r}),')
    np.testing.assert_allclose(summary, GOLDEN[preset], rtol=1e-5, atol=1e-6)
