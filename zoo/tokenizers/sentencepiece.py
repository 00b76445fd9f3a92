"""In-graph SentencePiece tokenizer (T5 convention: pad=0, eos=1, unk=2; optional `<extra_id_N>` sentinels)."""

import base64
import os

import sentencepiece
import tensorflow as tf
import tensorflow_text as tf_text

from zoo.tokenizers.tokenizer import Tokenizer


class SentencePieceTokenizer(Tokenizer):
    """SentencePiece tokenizer that runs inside the TensorFlow graph (tensorflow-text's op).

    Ids are those of `sentencepiece.SentencePieceProcessor.encode` (no BOS/EOS added; the preprocessors
    add EOS), except where two segmentations have exactly the same score: tensorflow-text bundles its own
    SentencePiece build, which may pick the other one (see the README's "Tokenizers" section). Any input
    tokenizes without an error (see `Tokenizer`); invalid UTF-8 becomes U+FFFD first.

    `detokenize` decodes as the library does (control pieces such as `<pad>` and `</s>` give no text, `<unk>`
    gives ` ⁇ `) and writes sentinels as `<extra_id_N>`, so `tokenize(detokenize(ids)) == ids` for text ids.

    Args:
        proto: path to a SentencePiece `.model` file, or its serialized bytes.
        extra_ids: int, the number of T5 sentinels `<extra_id_0>` ... appended after the model's pieces,
            numbered from the end as in T5 (`<extra_id_0>` has the largest id). T5 checkpoints use 100
            (Hugging Face `T5Tokenizer`'s default); defaults to 0.
        special_tokens_in_text: bool, map the special tokens written in the text (the model's control and
            unknown pieces such as `</s>`, `<pad>`, `<unk>`, and the sentinels) to their ids (`True`, the
            default, as Hugging Face's `T5Tokenizer` does), or treat them as plain text (`False`). See
            `Tokenizer`.

    Called like every `Tokenizer` (see its "Call arguments" and "Returns").

    Example:
    ```python
    tokenizer = SentencePieceTokenizer("spm.model", extra_ids=100)
    ids = tokenizer(["The <extra_id_0> walks in <extra_id_1> park"])
    tokenizer.detokenize(ids)  # [b"The<extra_id_0>walks in<extra_id_1>park"]
    tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id  # (0, 1, 2) for T5 models
    ```
    """

    def __init__(self, proto, extra_ids=0, special_tokens_in_text=True, **kwargs):
        super().__init__(special_tokens_in_text=special_tokens_in_text, **kwargs)
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
        if not isinstance(extra_ids, int) or isinstance(extra_ids, bool) or extra_ids < 0:
            raise ValueError(f"extra_ids must be an int >= 0, got {extra_ids!r}")
        self.proto = proto
        self.extra_ids = extra_ids
        try:
            self._sentencepiece = self._load()
            model = sentencepiece.SentencePieceProcessor(model_proto=proto)
        except (tf.errors.InvalidArgumentError, tf.errors.InternalError, ValueError, RuntimeError) as error:
            raise ValueError(f"{source} is not a valid SentencePiece model: {error}") from None
        self._model_size = model.get_piece_size()
        pieces = [model.id_to_piece(index) for index in range(self._model_size)]
        sentinels = [f"<extra_id_{extra_ids - 1 - k}>" for k in range(extra_ids)]  # by id
        self._set_vocabulary(pieces + sentinels)
        special = {piece: index for index, piece in enumerate(pieces) if model.is_control(index) or
                   model.is_unknown(index)}
        special.update({token: self._model_size + k for k, token in enumerate(sentinels)})
        self._set_special_tokens(special)
        self._sentinel_text = tf.constant(sentinels or [""])
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

    def _tokenize(self, text):
        return self._run("tokenize", text)

    def _detokenize(self, ids):
        if not self.extra_ids:
            return self._run("detokenize", ids)
        if not isinstance(ids, tf.RaggedTensor):
            return self._detokenize(tf.RaggedTensor.from_tensor(ids[None]))[0]
        # Cut each row into runs of model ids and single sentinels; decode runs with SentencePiece.
        flat, rows = ids.flat_values, ids.value_rowids()
        is_sentinel = flat >= self._model_size
        starts = tf.concat([[True], (rows[1:] != rows[:-1]) | is_sentinel[1:] | is_sentinel[:-1]], axis=0)
        starts = starts[: tf.size(flat)]
        run = tf.cumsum(tf.cast(starts, tf.int64)) - 1  # (ids,) run of each id
        num_runs = tf.reduce_sum(tf.cast(starts, tf.int64))
        runs = tf.RaggedTensor.from_value_rowids(
            tf.boolean_mask(flat, ~is_sentinel), tf.boolean_mask(run, ~is_sentinel), nrows=num_runs
        )
        first = tf.boolean_mask(flat, starts)  # (runs,) the first id of each run
        sentinel = tf.gather(self._sentinel_text, tf.maximum(first - self._model_size, 0))
        text = tf.where(first >= self._model_size, sentinel, self._run("detokenize", runs))
        row_text = tf.RaggedTensor.from_value_rowids(text, tf.boolean_mask(rows, starts), nrows=ids.nrows())
        return tf.strings.reduce_join(row_text, axis=-1)

    def get_config(self):
        config = super().get_config()
        config["proto"] = base64.b64encode(self.proto).decode("ascii")
        config["extra_ids"] = self.extra_ids
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("proto"), str) and not os.path.isfile(config["proto"]):
            config["proto"] = base64.b64decode(config["proto"])
        return cls(**config)
