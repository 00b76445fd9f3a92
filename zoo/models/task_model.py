"""Thin base class of the task models: a backbone, a head, and a default `compile`."""

import inspect

import keras

from zoo.layers.dense import Dense
from zoo.layers.dropout import Dropout


def logits_dense(units, name="logits"):
    """A float32 output layer (logits stay float32 under mixed precision), BERT-style initialised."""
    return Dense(
        units, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02), dtype="float32", name=name
    )


def untied_lm_head(backbone):
    """The vocabulary projection of a backbone whose embedding is not tied (T5 v1.1); None when it is tied."""
    if backbone.tie_embeddings:
        return None
    return Dense(backbone.vocabulary_size, use_bias=False, dtype="float32", name="lm_head")


def lm_decoding_constants(model):
    """Tensors a language model computes once per generation call, outside the compiled decode loop, and passes
    back to its forward pass: the tied head's `(hidden, vocab)` kernel (XLA on CPU would otherwise copy the
    transposed embedding table at every step). Empty for an untied head, whose kernel is already that shape."""
    if model.lm_head is None:
        return {"lm_head_kernel": model.backbone.token_embedding.reverse_kernel()}
    return {}


class TaskModel(keras.Model):
    """A backbone plus a head. Subclasses define the head, `default_loss()` and `default_metrics()`.

    `compile()` with no arguments gives AdamW (weight decay 0.01, no decay on norms and biases) with linear
    warmup then cosine decay, the task's loss and metrics, and XLA (`jit_compile=True`).

    Subclasses keep each of their own constructor arguments in the attribute of the same name: that is their
    `get_config`.
    """

    #: Language models (`CausalLM`, `Seq2SeqLM`) set it: they then get `lm_head`, their vocabulary projection
    #: (None when the backbone ties it to the token embedding), and `decoding_constants()` for generation.
    language_model = False

    def __init__(self, backbone, **kwargs):
        super().__init__(**kwargs)
        self.backbone = backbone
        if self.language_model:
            self.lm_head = untied_lm_head(backbone)

    def decoding_constants(self):
        """Tensors computed once per generation call and passed back to the forward pass (`lm_decoding_constants`)."""
        if not self.language_model:
            raise TypeError(f"{type(self).__name__} is not a language model: it has no decoding constants")
        return lm_decoding_constants(self)

    def _add_classifier_head(self, num_classes, dropout):
        """The classifiers' head: dropout, then a float32 `num_classes`-way output layer."""
        self.num_classes = num_classes
        self.dropout = dropout
        self.dropout_layer = Dropout(dropout)
        self.output_dense = logits_dense(num_classes)

    def _build_from_dummy_inputs(self):
        self(self.backbone.dummy_inputs(), training=False)

    def default_loss(self):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def default_metrics(self):
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]

    def compile(
        self,
        optimizer="auto",
        loss="auto",
        metrics="auto",
        learning_rate=5e-5,
        weight_decay=0.01,
        warmup_steps=0,
        total_steps=10_000,
        jit_compile=True,
        **kwargs,
    ):
        if optimizer == "auto":
            schedule = keras.optimizers.schedules.CosineDecay(
                initial_learning_rate=0.0 if warmup_steps else learning_rate,
                decay_steps=max(1, total_steps - warmup_steps),
                alpha=0.0,
                warmup_target=learning_rate if warmup_steps else None,
                warmup_steps=warmup_steps,
            )
            optimizer = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=weight_decay)
            optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta", "scale"])
        loss = self.default_loss() if loss == "auto" else loss
        metrics = self.default_metrics() if metrics == "auto" else metrics
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=jit_compile, **kwargs)

    def enable_lora(self, rank, alpha=None, targets=("query", "value"), dropout=0.0):
        """`Backbone.enable_lora` on this model's backbone (the head stays trainable)."""
        self.backbone.enable_lora(rank, alpha=alpha, targets=targets, dropout=dropout)

    def merge_lora(self):
        """A copy of this task model whose backbone has its LoRA adapters folded in (same outputs)."""
        return self._with_backbone(self.backbone.merge_lora())

    def without_lora(self):
        """A copy of this task model whose backbone has its pre-LoRA kernels (the adapters dropped)."""
        return self._with_backbone(self.backbone.without_lora())

    def _with_backbone(self, backbone):
        config = self.get_config()
        config["backbone"] = backbone
        copy = self.__class__(**config)
        own = {id(w) for w in self.backbone.weights}
        head = [w for w in self.weights if id(w) not in own]
        new_own = {id(w) for w in backbone.weights}
        new_head = [w for w in copy.weights if id(w) not in new_own]
        for old, new in zip(head, new_head, strict=True):
            new.assign(old)
        return copy

    def get_config(self):
        config = {
            "backbone": keras.saving.serialize_keras_object(self.backbone),
            "name": self.name,
            "trainable": self.trainable,
            # The policy comes back with the model: a reloaded mixed_float16 model keeps it, and Keras' compile()
            # then wraps the optimizer in a LossScaleOptimizer, as it did before saving.
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
        }
        for argument in inspect.signature(type(self).__init__).parameters:
            if argument not in ("self", "backbone", "kwargs"):
                config[argument] = getattr(self, argument)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return cls(**config)
