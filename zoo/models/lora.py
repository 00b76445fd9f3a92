"""LoRA adapters on the attention projections of a backbone: validated settings, dropout on the adapter path,
and weights saved unmerged so that a `.keras` checkpoint resumes LoRA training where it stopped."""

import math
import numbers

import keras
from keras import ops

from zoo.layers.attention import MultiHeadAttention

#: Projection names of `MultiHeadAttention` an adapter may target.
LORA_TARGETS = ("query", "key", "value", "output")


class LoraDense(keras.layers.Dense):
    """A `Dense` with Keras' LoRA enabled, whose saved variables are the frozen kernel, the bias and both adapters
    (Keras' `Dense` saves the merged kernel and zeroes the adapters on load, after which A = B = 0 and LoRA can
    no longer train). `enable_lora` turns an attention projection into one; it is never built from a config."""

    lora_dropout = 0.0

    def call(self, inputs, training=None):
        if not (training and self.lora_dropout):
            return super().call(inputs, training=training)
        kernel = ops.cast(self._kernel, self.compute_dtype)
        output = ops.matmul(inputs, kernel)
        dropped = keras.random.dropout(inputs, self.lora_dropout, seed=self.seed_generator)
        scale = self.lora_alpha / self.lora_rank
        adapter = ops.matmul(ops.matmul(dropped, ops.cast(self.lora_kernel_a, self.compute_dtype)),
                             ops.cast(self.lora_kernel_b, self.compute_dtype))
        output = output + adapter * ops.cast(scale, self.compute_dtype)
        if self.bias is not None:
            output = output + ops.cast(self.bias, self.compute_dtype)
        return self.activation(output)

    def save_own_variables(self, store):
        store["kernel"] = self._kernel
        if self.bias is not None:
            store["bias"] = self.bias
        store["lora_kernel_a"] = self.lora_kernel_a
        store["lora_kernel_b"] = self.lora_kernel_b

    def load_own_variables(self, store):
        self._kernel.assign(store["kernel"])
        if self.bias is not None:
            self.bias.assign(store["bias"])
        self.lora_kernel_a.assign(store["lora_kernel_a"])
        self.lora_kernel_b.assign(store["lora_kernel_b"])

    def merged_variables(self, store):
        """Writes what a plain `Dense` loads: the kernel with the adapters folded in, and the bias."""
        keras.layers.Dense.save_own_variables(self, store)


def lora_settings(rank, alpha=None, targets=("query", "value"), dropout=0.0):
    """The validated settings of `enable_lora` as a plain dict (what the backbone's config saves)."""
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or rank < 1:
        raise ValueError(f"enable_lora: rank must be an integer >= 1, got {rank!r}")
    if alpha is not None and (isinstance(alpha, bool) or not isinstance(alpha, numbers.Real)
                              or not math.isfinite(alpha) or alpha <= 0):
        raise ValueError(f"enable_lora: alpha must be a finite number > 0 (or None for alpha = rank), got {alpha!r}")
    if isinstance(targets, str) or not targets or any(t not in LORA_TARGETS for t in targets):
        raise ValueError(f"enable_lora: targets must be a non-empty sequence of {LORA_TARGETS}, got {targets!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"enable_lora: dropout must be in [0, 1), got {dropout!r}")
    return {"rank": int(rank), "alpha": float(rank if alpha is None else alpha),
            "targets": list(dict.fromkeys(targets)), "dropout": float(dropout)}


def add_adapters(backbone, settings):
    """Freezes every weight of `backbone`, then adds trainable adapters to the targeted projections."""
    for layer in backbone._flatten_layers(include_self=False):
        if not list(layer._flatten_layers(include_self=False)):
            layer.trainable = False
    for layer in backbone._flatten_layers(include_self=False):
        if isinstance(layer, MultiHeadAttention):
            for target in settings["targets"]:
                dense = getattr(layer, f"{target}_dense")
                dense.trainable = True
                dense.enable_lora(settings["rank"], lora_alpha=settings["alpha"])
                dense.__class__ = LoraDense
                dense.lora_dropout = settings["dropout"]
                if settings["dropout"]:
                    dense._tracker.unlock()
                    dense.seed_generator = keras.random.SeedGenerator(0)  # state only, not saved
                    dense._tracker.lock()
                if dense.bias is not None:
                    dense.bias.trainable = False


def copy_variables(source, target, merge):
    """Copies every layer's variables from `source` to the same-architecture `target`; LoRA layers give their
    merged kernel when `merge`, their frozen base kernel otherwise (the adapters dropped)."""
    old_layers = list(source._flatten_layers(include_self=False))
    new_layers = list(target._flatten_layers(include_self=False))
    for old, new in zip(old_layers, new_layers, strict=True):
        store = {}
        if isinstance(old, LoraDense):
            if merge:
                old.merged_variables(store)
            else:
                store["0"] = old._kernel
                if old.bias is not None:
                    store["1"] = old.bias
        else:
            old.save_own_variables(store)
        new.load_own_variables(store)
