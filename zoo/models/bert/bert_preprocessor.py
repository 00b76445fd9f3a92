"""BERT preprocessor: WordPiece tokenizer + `[CLS] a [SEP] b [SEP]` packer, as a Keras layer."""

import keras_hub
import tensorflow as tf

from zoo.models.preprocessor import Preprocessor
from zoo.tokenizers.wordpiece import WordPieceTokenizer


class BertPreprocessor(Preprocessor):
    """Turns raw strings (or sentence pairs) into BERT inputs, inside the TensorFlow graph.

    Layout (as Hugging Face `BertTokenizerFast(a, b)`): `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`,
    `segment_ids` 0 for `[CLS] a [SEP]` and 1 for `b [SEP]`, then `[PAD]` up to `sequence_length`. Too long
    inputs are truncated segment by segment (`"round_robin"` takes one token from each segment in turn,
    `"waterfall"` fills the first segment first), always keeping the special tokens.

    Args:
        tokenizer: a `zoo.tokenizers.WordPieceTokenizer`.
        sequence_length: int, the packed length. Defaults to 128.
        truncate: `"round_robin"` or `"waterfall"`.

    Call arguments:
        x: a `tf.string` tensor of shape `(batch,)` or `()`, or a tuple of two such tensors (pairs).

    Returns:
        A dict with `token_ids` (int32), `padding_mask` (bool) and `segment_ids` (int32), each of shape
        `(batch, sequence_length)` (or `(sequence_length,)` for scalar input).

    Example:
    ```python
    preprocessor = BertPreprocessor(WordPieceTokenizer("vocab.txt"), sequence_length=16)
    preprocessor(["the first", "and the second"])["token_ids"].shape  # (2, 16)
    preprocessor((["premise"], ["hypothesis"]))["segment_ids"]  # [[0, 0, 0, 1, 1, 0, ...]]
    ```
    """

    tokenizer_class = WordPieceTokenizer

    def __init__(self, tokenizer, sequence_length=128, truncate="round_robin", **kwargs):
        super().__init__(tokenizer, **kwargs)
        if truncate not in ("round_robin", "waterfall"):
            raise ValueError(f"truncate must be 'round_robin' or 'waterfall', got {truncate!r}")
        self.sequence_length = sequence_length
        self.truncate = truncate
        self.packer = keras_hub.layers.MultiSegmentPacker(
            sequence_length=sequence_length,
            start_value=tokenizer.cls_token_id,
            end_value=tokenizer.sep_token_id,
            pad_value=tokenizer.pad_token_id,
            truncate=truncate,
            dtype="int32",
        )

    def call(self, x):
        segments = tuple(x) if isinstance(x, (tuple, list)) else (x,)
        if len(segments) not in (1, 2):
            raise ValueError(f"BertPreprocessor takes one string tensor or a pair, got {len(segments)} inputs")
        return self.pack(tuple(self.tokenizer(segment) for segment in segments))

    def pack(self, segments):
        """The packing half of `call`: a tuple of one or two ragged `(batch, None)` id tensors (the tokenizer's
        output, no special tokens) -> the same dict as `call`. Exports use it to tokenize only once."""
        token_ids, segment_ids = self.packer(tuple(segments))
        token_ids = tf.cast(token_ids, tf.int32)
        return {
            "token_ids": token_ids,
            "padding_mask": token_ids != self.tokenizer.pad_token_id,
            "segment_ids": tf.cast(segment_ids, tf.int32),
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "truncate": self.truncate,
            }
        )
        return config
