"""Thin base class of the in-graph tokenizers: string tensors in, int32 ids out, vocabulary look-ups."""

import keras


class Tokenizer(keras.layers.Layer):
    """Strings reach `call` unconverted; outputs are int32 ids. Subclasses call `_set_vocabulary` with their
    tokens by id and implement `call` (strings -> ids) and `detokenize` (ids -> strings).

    For a batch `call` returns an int32 `tf.RaggedTensor` `(batch, None)`; for a scalar, dense `(None,)`.
    """

    def __init__(self, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(dtype="int32", **kwargs)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    def _set_vocabulary(self, id_to_token):
        """`id_to_token`: a list (ids 0..n-1) or a dict id -> token; a duplicated token keeps its first id."""
        items = enumerate(id_to_token) if isinstance(id_to_token, list) else sorted(id_to_token.items())
        self._id_to_token = dict(items)
        self._token_to_id = {}
        for index, token in self._id_to_token.items():
            self._token_to_id.setdefault(token, index)

    def vocabulary_size(self):
        """Largest id + 1: the size of an embedding table for these ids."""
        return max(self._id_to_token) + 1

    def get_vocabulary(self):
        return [self._id_to_token[index] for index in sorted(self._id_to_token)]

    def token_to_id(self, token):
        if token not in self._token_to_id:
            raise KeyError(f"Token {token!r} is not in the vocabulary")
        return self._token_to_id[token]

    def id_to_token(self, id):
        if id not in self._id_to_token:
            raise IndexError(f"Id {id} is not in the vocabulary of {self.vocabulary_size()} ids")
        return self._id_to_token[id]

    def compute_output_spec(self, inputs):
        rank = len(inputs.shape)
        return keras.KerasTensor(tuple(inputs.shape) + (None,), dtype="int32", ragged=rank > 0)

    def get_config(self):
        config = super().get_config()
        config.pop("dtype", None)
        return config
