"""Thin base class of the backbones: presets, LoRA, build-on-construction, flat-argument configs."""

import inspect

import keras

from zoo.layers.attention import MultiHeadAttention
from zoo.presets import has_checkpoint


class Backbone(keras.Model):
    """A transformer without a head. Subclasses set `presets`, keep every constructor argument in an attribute
    of the same name (that is their `get_config`), and call `_build_from_dummy_inputs()`.

    Output contract: `call` returns a dict; encoders give `sequence_output` (and `pooled_output` when they have a
    pooler), decoders `sequence_output` (plus `cache` when given one), encoder-decoders
    `encoder_sequence_output` and `decoder_sequence_output`. Task models rely on nothing else.
    """

    presets = {}
    #: Whether a language-model head reuses the token embedding (`TiedEmbedding(..., reverse=True)`).
    tie_embeddings = True

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
        known = set(inspect.signature(cls.__init__).parameters) | {"name", "dtype", "trainable"}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(
                f"{cls.__name__} config: unknown field(s) {unknown}; expected fields: {sorted(known - {'self', 'kwargs'})}"
            )
        return cls(**config)

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
        return config

    def enable_lora(self, rank, alpha=None):
        """Adds rank-`rank` LoRA adapters to every attention query and value projection and freezes the rest.

        After this only the adapters train; `Dense.kernel` (what `call` uses) is the merged kernel, so
        `merge_lora()` gives a plain model with identical outputs.
        """
        for layer in self._flatten_layers(include_self=False):
            if not list(layer._flatten_layers(include_self=False)):
                layer.trainable = False
        for layer in self._flatten_layers(include_self=False):
            if isinstance(layer, MultiHeadAttention):
                for dense in (layer.query_dense, layer.value_dense):
                    dense.trainable = True
                    dense.enable_lora(rank, lora_alpha=alpha)
                    if dense.bias is not None:
                        dense.bias.trainable = False

    def merge_lora(self):
        """Returns a copy of this backbone without adapters whose kernels have the adapters folded in.

        Uses Keras' own saving path (`save_own_variables` writes a LoRA layer's merged kernel), so the copy gives
        the same outputs and trains as an ordinary backbone.
        """
        merged = self.__class__.from_config(self.get_config())
        old_layers = list(self._flatten_layers(include_self=False))
        new_layers = list(merged._flatten_layers(include_self=False))
        for old, new in zip(old_layers, new_layers, strict=True):
            store = {}
            old.save_own_variables(store)
            new.load_own_variables(store)
        return merged


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
