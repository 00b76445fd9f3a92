"""In-graph SentencePiece tokenizer (T5 convention: pad=0, eos=1, unk=2)."""

import base64
import os

import keras
import tensorflow as tf
import tensorflow_text as tf_text

from zoo.tokenizers._common import sanitize_utf8, to_ids_tensor, to_string_tensor


class SentencePieceTokenizer(keras.layers.Layer):
    """SentencePiece tokenizer that runs inside the TensorFlow graph (tensorflow-text's op).

    Ids are those of `sentencepiece.SentencePieceProcessor.encode` (no BOS/EOS added; the preprocessors
    add EOS). Invalid UTF-8 input bytes never fail the graph: each invalid sequence is replaced by U+FFFD
    first (usually an unknown piece).

    Args:
        proto: path to a SentencePiece `.model` file, or its serialized bytes.

    Call arguments:
        inputs: a `tf.string` scalar or rank-1 batch of strings.

    Returns:
        For a batch, an int32 `tf.RaggedTensor` of shape `(batch, None)`; for a scalar, a dense int32
        tensor of shape `(None,)`.

    Example:
    ```python
    tokenizer = SentencePieceTokenizer("spm.model")
    ids = tokenizer(["translate English to German: hello"])
    tokenizer.detokenize(ids)  # [b"translate English to German: hello"]
    tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id  # (0, 1, 2) for T5 models
    ```
    """

    def __init__(self, proto, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(dtype="int32", **kwargs)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        if isinstance(proto, (str, os.PathLike)):
            path = os.fspath(proto)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"SentencePiece model file not found: {path!r}")
            with open(path, "rb") as f:
                proto = f.read()
            source = f"SentencePiece model file {path!r}"
        else:
            source = "SentencePiece model bytes"
        if not isinstance(proto, bytes) or not proto:
            raise ValueError(f"{source}: expected a non-empty serialized ModelProto")
        self.proto = proto
        try:
            self._sentencepiece = self._load()
            size = int(self._sentencepiece.vocab_size())
        except (tf.errors.InvalidArgumentError, tf.errors.InternalError, ValueError) as error:
            raise ValueError(f"{source} is not a valid SentencePiece model: {error}") from None
        self._vocabulary = [
            piece.decode("utf-8") for piece in self._sentencepiece.id_to_string(tf.range(size)).numpy()
        ]
        self._token_to_id = {}
        for index, piece in enumerate(self._vocabulary):
            self._token_to_id.setdefault(piece, index)
        # SentencePiece assigns special ids by type; find them by the pieces the trainer writes.
        self.pad_token_id = self._token_to_id.get("<pad>", -1)
        self.eos_token_id = self._token_to_id.get("</s>", -1)
        self.unk_token_id = self._token_to_id.get("<unk>", -1)
        self.bos_token_id = self._token_to_id.get("<s>", -1)

    def _load(self):
        return tf_text.SentencepieceTokenizer(model=self.proto, out_type=tf.int32)

    def _run(self, method, tensor):
        """`tokenize`/`detokenize`. Eagerly, `tf.random.set_seed` (and so `keras.utils.set_random_seed`)
        clears TensorFlow's cached kernels and with them the op's model resource: reload it then."""
        if tf.executing_eagerly():
            try:
                return getattr(self._sentencepiece, method)(tensor)
            except tf.errors.NotFoundError:
                self._sentencepiece = self._load()
        return getattr(self._sentencepiece, method)(tensor)

    def vocabulary_size(self):
        return len(self._vocabulary)

    def get_vocabulary(self):
        return list(self._vocabulary)

    def token_to_id(self, token):
        if token not in self._token_to_id:
            raise KeyError(f"Token {token!r} is not in the vocabulary")
        return self._token_to_id[token]

    def id_to_token(self, id):
        if not 0 <= id < len(self._vocabulary):
            raise IndexError(f"Id {id} is out of range for a vocabulary of {len(self._vocabulary)} pieces")
        return self._vocabulary[id]

    def call(self, inputs):
        strings = to_string_tensor(inputs)
        return self._run("tokenize", sanitize_utf8(strings))

    def detokenize(self, ids):
        """Ids (dense or ragged, rank 1 or 2) -> strings; pad/eos/bos ids are dropped by SentencePiece."""
        return self._run("detokenize", to_ids_tensor(ids))

    def compute_output_spec(self, inputs):
        rank = len(inputs.shape)
        return keras.KerasTensor(tuple(inputs.shape) + (None,), dtype="int32", ragged=rank > 0)

    def get_config(self):
        config = super().get_config()
        config.pop("dtype", None)
        config["proto"] = base64.b64encode(self.proto).decode("ascii")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("proto"), str) and not os.path.isfile(config["proto"]):
            config["proto"] = base64.b64decode(config["proto"])
        return cls(**config)
