"""Losses the task models' default `compile` does not cover."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class SparseLabelSmoothingCrossentropy(keras.losses.Loss):
    """Cross-entropy from integer labels and logits against smoothed targets: the true class gets
    `1 - label_smoothing` plus an equal share of `label_smoothing` spread over all `vocabulary_size` classes
    (as `keras.losses.CategoricalCrossentropy(label_smoothing=...)` on one-hot labels, without building them).

    Per position: `(1 - s) * nll(label) + s * mean_k(-log_softmax(logits)_k)`. Masking is by `sample_weight`
    (e.g. a seq2seq `decoder_padding_mask`); by default the loss is the mean over the weighted positions
    (`reduction="mean_with_sample_weight"`: the sum of weighted losses over the sum of weights), so a token
    counts the same however much padding its batch has (Keras' default divides by every position).

    Args:
        label_smoothing: float in [0, 1); 0 is the plain sparse cross-entropy.
        reduction: a Keras loss reduction.

    Example:
    >>> loss = SparseLabelSmoothingCrossentropy(label_smoothing=0.1)
    >>> logits = keras.ops.convert_to_tensor([[[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]]])
    >>> round(float(loss(keras.ops.convert_to_tensor([[0, 1]]), logits)), 4)
    0.3339
    """

    def __init__(self, label_smoothing=0.1, reduction="mean_with_sample_weight",
                 name="sparse_label_smoothing_crossentropy", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        log_probs = ops.log_softmax(ops.cast(y_pred, "float32"), axis=-1)  # (..., vocabulary)
        labels = ops.expand_dims(ops.cast(y_true, "int32"), -1)
        nll = -ops.squeeze(ops.take_along_axis(log_probs, labels, axis=-1), -1)
        if not self.label_smoothing:
            return nll
        uniform = -ops.mean(log_probs, axis=-1)
        return (1.0 - self.label_smoothing) * nll + self.label_smoothing * uniform

    def get_config(self):
        config = super().get_config()
        config["label_smoothing"] = self.label_smoothing
        return config
