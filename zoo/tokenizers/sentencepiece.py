"""In-graph SentencePiece tokenizer (T5 convention: pad=0, eos=1, unk=2)."""

import base64
import os

import tensorflow as tf
import tensorflow_text as tf_text

from zoo.tokenizers._common import sanitize_utf8, to_ids_tensor, to_string_tensor
from zoo.tokenizers.tokenizer import Tokenizer


class SentencePieceTokenizer(Tokenizer):
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
        super().__init__(**kwargs)
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
        self._set_vocabulary([
            piece.decode("utf-8") for piece in self._sentencepiece.id_to_string(tf.range(size)).numpy()
        ])
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

    def call(self, inputs):
        strings = to_string_tensor(inputs)
        return self._run("tokenize", sanitize_utf8(strings))

    def detokenize(self, ids):
        """Ids (dense or ragged, rank 1 or 2) -> strings; pad/eos/bos ids are dropped by SentencePiece."""
        return self._run("detokenize", to_ids_tensor(ids))

    def get_config(self):
        config = super().get_config()
        config["proto"] = base64.b64encode(self.proto).decode("ascii")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("proto"), str) and not os.path.isfile(config["proto"]):
            config["proto"] = base64.b64decode(config["proto"])
        return cls(**config)
