"""The three BERT sequence classifiers of the speed suite, each as a closure that runs `steps` training steps or
forward passes on one fixed batch: zoo `TextClassifier`, keras-hub `BertTextClassifier` (both Keras, XLA on)
and transformers `BertForSequenceClassification` (torch CPU, eager).

Precision "float32", or "bfloat16": each engine in its own mixed mode (Keras' `mixed_bfloat16` policy, float32
variables; torch `autocast(cpu, bfloat16)`, float32 parameters). Random weights, AdamW, dropout 0.1 in training.
"""

import contextlib

import numpy as np
# torch (and the triton it loads) must be imported before TensorFlow, or the process segfaults.
import torch  # noqa: E402
from transformers import BertConfig, BertForSequenceClassification  # noqa: E402

import zoo  # noqa: F401,E402  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402

from zoo.models import BertBackbone, TextClassifier  # noqa: E402

ENGINES = ("ours", "keras_hub", "transformers")
MODES = ("train", "infer")
PRECISIONS = ("float32", "bfloat16")
KERAS_POLICY = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


def batch(config, batch_size, length):
    """Random ids (seed 0), every other row padded from the middle, binary labels."""
    rng = np.random.default_rng(0)
    ids = rng.integers(min(1000, config["vocabulary_size"] // 2), config["vocabulary_size"],
                       size=(batch_size, length)).astype("int32")
    mask = np.ones((batch_size, length), bool)
    mask[::2, length // 2:] = False
    labels = rng.integers(0, 2, size=(batch_size,)).astype("int32")
    return ids, mask, labels


@contextlib.contextmanager
def keras_policy(precision):
    """Layers built inside take the Keras dtype policy of `precision`."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(KERAS_POLICY[precision])
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _keras_run(model, mode, steps, inputs, labels):
    def run():
        for _ in range(steps):
            if mode == "train":
                out = model.train_on_batch(inputs, labels)
            else:
                out = model.predict_on_batch(inputs)
        return float(np.asarray(out).ravel()[0])

    return run


def ours_engine(config, batch_size, length, mode="train", precision="float32", steps=1,
                max_sequence_length=512):
    ids, mask, labels = batch(config, batch_size, length)
    keras.utils.set_random_seed(0)
    with keras_policy(precision):
        model = TextClassifier(BertBackbone(**config, dropout=0.1, max_sequence_length=max_sequence_length),
                               num_classes=2)
    model.compile(learning_rate=5e-5, total_steps=10_000, jit_compile=True)
    inputs = {"token_ids": ids, "padding_mask": mask, "segment_ids": np.zeros_like(ids)}
    return _keras_run(model, mode, steps, inputs, labels)


def keras_hub_engine(config, batch_size, length, mode="train", precision="float32", steps=1,
                     max_sequence_length=512):
    import keras_hub as hub

    ids, mask, labels = batch(config, batch_size, length)
    keras.utils.set_random_seed(0)
    with keras_policy(precision):
        backbone = hub.models.BertBackbone(**config, dropout=0.1, max_sequence_length=max_sequence_length)
        model = hub.models.BertTextClassifier(backbone=backbone, num_classes=2, preprocessor=None)
    model.compile(optimizer=keras.optimizers.AdamW(5e-5), jit_compile=True)
    inputs = {"token_ids": ids, "padding_mask": mask, "segment_ids": np.zeros_like(ids)}
    return _keras_run(model, mode, steps, inputs, labels)


def transformers_engine(config, batch_size, length, mode="train", precision="float32", steps=1,
                        max_sequence_length=512):
    ids, mask, labels = batch(config, batch_size, length)
    torch.manual_seed(0)
    bert = BertConfig(vocab_size=config["vocabulary_size"], hidden_size=config["hidden_dim"],
                      num_hidden_layers=config["num_layers"], num_attention_heads=config["num_heads"],
                      intermediate_size=config["intermediate_dim"], max_position_embeddings=max_sequence_length,
                      num_labels=2)
    model = BertForSequenceClassification(bert).train(mode == "train")
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    ids_t, mask_t = torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)
    labels_t = torch.tensor(labels, dtype=torch.long)

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bfloat16")

    def train():
        for _ in range(steps):
            optimizer.zero_grad()
            with autocast():
                loss = model(input_ids=ids_t, attention_mask=mask_t, labels=labels_t).loss
            loss.backward()
            optimizer.step()
        return loss.item()

    def infer():
        with torch.inference_mode(), autocast():
            for _ in range(steps):
                logits = model(input_ids=ids_t, attention_mask=mask_t).logits
        return float(logits.float()[0, 0])

    return train if mode == "train" else infer


BUILDERS = {"ours": ours_engine, "keras_hub": keras_hub_engine, "transformers": transformers_engine}


def engines(config, batch_size, length, mode, precision="float32", steps=1, max_sequence_length=512):
    """`{engine: run}` for the three engines on one config."""
    return {name: build(config, batch_size, length, mode=mode, precision=precision, steps=steps,
                        max_sequence_length=max_sequence_length) for name, build in BUILDERS.items()}
