"""Thin base class of the preprocessors: a tokenizer plus a packer, as a Keras layer for `tf.data` and export."""

import keras


class Preprocessor(keras.layers.Layer):
    """Holds a tokenizer and round-trips it through `get_config`; subclasses build the packer and `call`.

    Subclasses set `tokenizer_class` and add their own constructor arguments to `get_config`.
    """

    tokenizer_class = None

    def __init__(self, tokenizer, **kwargs):
        super().__init__(**kwargs)
        # Raw strings (and tuples of them) pass through to `call` unconverted.
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        self.tokenizer = tokenizer

    def build(self, input_shape=None):
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["tokenizer"] = keras.saving.serialize_keras_object(self.tokenizer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        name = cls.tokenizer_class.__name__
        config["tokenizer"] = keras.saving.deserialize_keras_object(
            config["tokenizer"], custom_objects={name: cls.tokenizer_class}
        )
        return cls(**config)
