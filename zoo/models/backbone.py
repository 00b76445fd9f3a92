"""Thin base class of the backbones: presets, LoRA, build-on-construction, flat-argument configs."""

import inspect

import keras

from zoo.models.lora import add_adapters, copy_variables, lora_settings
from zoo.presets import has_checkpoint


class Backbone(keras.Model):
    """A transformer without a head. Subclasses set `presets`, keep every constructor argument in an attribute
    of the same name (that is their `get_config`; `_keep_arguments(locals())` does it), and call
    `_build_from_dummy_inputs()`.

    Output contract: `call` returns a dict; encoders give `sequence_output` (and `pooled_output` when they have a
    pooler), decoders `sequence_output` (plus `cache` when given one), encoder-decoders
    `encoder_sequence_output` and `decoder_sequence_output`. Task models rely on nothing else.
    """

    presets = {}
    #: Whether a language-model head reuses the token embedding (`TiedEmbedding(..., reverse=True)`).
    tie_embeddings = True
    #: Whether `call` gives a `pooled_output`, and takes `pooled_only=True` to compute that alone.
    has_pooler = False

    def _keep_arguments(self, arguments):
        """Stores each constructor argument (`locals()` at the top of a subclass's `__init__`) in the attribute
        of the same name, the counterpart of `get_config`; a subclass may then overwrite derived ones."""
        for name, value in arguments.items():
            if name not in ("self", "kwargs", "__class__"):
                setattr(self, name, value)

    def _transformer_layers(self, block, prefix, kernel_initializer):
        """`num_layers` shared `zoo.layers` blocks (`TransformerEncoder` or `TransformerDecoder`) named
        `{prefix}_{i}`, built from this backbone's stored arguments."""
        return [
            block(
                self.num_heads,
                self.intermediate_dim,
                activation=self.activation,
                dropout=self.dropout,
                layer_norm_epsilon=self.layer_norm_epsilon,
                kernel_initializer=kernel_initializer,
                dtype=self.dtype_policy,
                name=f"{prefix}_{i}",
            )
            for i in range(self.num_layers)
        ]

    def _build_from_dummy_inputs(self):
        # Subclassed models create weights on first call; build now so weights exist for loading/conversion.
        self(self.dummy_inputs(), training=False)

    def dummy_inputs(self, batch_size=1, length=2):
        raise NotImplementedError

    @classmethod
    def from_preset(cls, name, load_weights=True, **overrides):
        """Builds a backbone from `cls.presets[name]` (see `zoo.presets`), with constructor-argument overrides.

        A preset that names a checkpoint (`python_package` or `hf_repo`) loads its weights unless
        `load_weights=False`; its architecture cannot then be overridden. The weights come through
        `zoo.convert.architectures`, which imports nothing from `zoo.models` (so no import circle).
        """
        if name not in cls.presets:
            raise ValueError(
                f"{cls.__name__}: unknown preset {name!r}; available: {sorted(cls.presets)}"
            )
        preset = cls.presets[name]
        if load_weights and has_checkpoint(preset):
            if overrides:
                raise ValueError(
                    f"{cls.__name__}.from_preset({name!r}) loads a checkpoint, whose architecture cannot take "
                    f"overrides {sorted(overrides)}; pass load_weights=False for a randomly initialised copy"
                )
            from zoo.convert.architectures import load_preset_backbone

            return load_preset_backbone(cls, name)
        config = dict(preset["config"])
        config.update(overrides)
        return cls.from_config(config)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        lora = config.pop("lora", None)
        known = set(inspect.signature(cls.__init__).parameters) | {"name", "dtype", "trainable"}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(
                f"{cls.__name__} config: unknown field(s) {unknown}; expected fields: {sorted(known - {'self', 'kwargs'})}"
            )
        backbone = cls(**config)
        if lora is not None:
            backbone.enable_lora(**lora)
        return backbone

    def get_config(self):
        """Every constructor argument, read back from the attribute of the same name (flat, no nesting)."""
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
        }
        for argument in inspect.signature(type(self).__init__).parameters:
            if argument not in ("self", "kwargs"):
                config[argument] = getattr(self, argument)
        if self.lora is not None:
            config["lora"] = dict(self.lora)
        return config

    #: LoRA settings (`zoo.models.lora.lora_settings`) once `enable_lora` has run; saved in the config.
    lora = None

    def enable_lora(self, rank, alpha=None, targets=("query", "value"), dropout=0.0):
        """Adds rank-`rank` LoRA adapters (scale `alpha / rank`, alpha defaults to rank) to the attention
        projections named in `targets` (of "query", "key", "value", "output") and freezes everything else;
        `dropout` applies to the adapter input while training. Arguments are checked before anything changes.

        The settings are part of `get_config` and the adapters of the saved weights, so a `.keras` checkpoint
        reloads with the same adapters, trainable weights and outputs. `merge_lora()` gives a plain model with
        identical outputs, `without_lora()` the model without the adapters.
        """
        settings = lora_settings(rank, alpha, targets, dropout)
        if self.lora is not None:
            raise ValueError(f"{type(self).__name__}: LoRA is already enabled ({self.lora}); call it once")
        add_adapters(self, settings)
        self.lora = settings

    def merge_lora(self):
        """A copy of this backbone without adapters whose kernels have the adapters folded in (same outputs)."""
        return self._copy_without_lora(merge=True)

    def without_lora(self):
        """A copy of this backbone with the kernels it had before LoRA (the adapters dropped)."""
        return self._copy_without_lora(merge=False)

    def _copy_without_lora(self, merge):
        config = self.get_config()
        config.pop("lora", None)
        config["trainable"] = True
        copy = self.__class__.from_config(config)
        copy_variables(self, copy, merge)
        return copy


def check_token_ids(token_ids, name="token_ids", max_length=None, start=0):
    """Clear errors for the shapes every backbone needs: `(batch, length)`, and no more positions than it has
    (checked when the length is known while tracing; `start` is the cache index while decoding)."""
    shape = token_ids.shape
    if shape.rank is not None and shape.rank != 2:
        raise ValueError(f"{name} must have shape (batch, length), got shape {tuple(shape)}")
    length = shape[1] if shape.rank is not None else None
    if max_length is not None and length is not None and isinstance(start, int) and start + length > max_length:
        raise ValueError(
            f"{name} has {start + length} positions, more than max_sequence_length={max_length}; "
            "truncate the inputs or build the backbone with a larger max_sequence_length"
        )


def padding_mask_or_ones(inputs, token_ids):
    """`inputs["padding_mask"]`, or all True when the caller gave none."""
    mask = inputs.get("padding_mask") if isinstance(inputs, dict) else None
    if mask is None:
        mask = keras.ops.ones_like(token_ids, dtype="bool")
    return mask
