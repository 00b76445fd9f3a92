"""Golden-number regression: seeded tiny models give the same outputs as when these numbers were recorded.

The numbers pin the initialisation and the forward pass of each backbone (tensorflow 2.20, Keras 3 TF backend).
A change in the maths or in the weight creation order shows up here even when shapes and round trips still pass.
Regenerate deliberately: run this file with ZOO_PRINT_GOLDEN=1 and paste the printed values.
"""

import os

import numpy as np
import pytest

import zoo  # noqa: F401
import keras

from zoo.models import BertBackbone, GPTBackbone, T5Backbone

IDS = np.array([[5, 17, 42, 7, 99, 3], [8, 1, 64, 2, 0, 0]], "int32")
MASK = IDS > 0

GOLDEN = {
    "bert_tiny": (0.8080997467041016, 0.1458146572113037),
    "gpt_tiny": (0.7974318265914917, -6.728867530822754),
    "t5_tiny": (0.8185926675796509, 16.55730628967285),
    "t5_v1_1_tiny": (0.8246644735336304, 15.320830345153809),
}


def inputs_for(backbone):
    if isinstance(backbone, T5Backbone):
        return {"encoder_token_ids": IDS, "encoder_padding_mask": MASK, "decoder_token_ids": IDS[:, ::-1].copy()}
    inputs = {"token_ids": IDS, "padding_mask": MASK}
    if isinstance(backbone, BertBackbone):
        inputs["segment_ids"] = np.array([[0, 0, 0, 1, 1, 1]] * 2, "int32")
    return inputs


@pytest.mark.parametrize("cls,preset", [(BertBackbone, "bert_tiny"), (GPTBackbone, "gpt_tiny"),
                                        (T5Backbone, "t5_tiny"), (T5Backbone, "t5_v1_1_tiny")])
def test_golden_numbers(cls, preset):
    keras.utils.set_random_seed(1234)
    backbone = cls.from_preset(preset)
    outputs = backbone(inputs_for(backbone))
    key = "decoder_sequence_output" if isinstance(backbone, T5Backbone) else "sequence_output"
    sequence = keras.ops.convert_to_numpy(outputs[key])[MASK]  # real tokens only
    summary = (float(np.abs(sequence).mean()), float(sequence[:, 0].sum()))
    if os.environ.get("ZOO_PRINT_GOLDEN"):
        print(f'    "{preset}": ({summary[0]!r}, {summary[1]!r}),')
    np.testing.assert_allclose(summary, GOLDEN[preset], rtol=1e-5, atol=1e-6)
