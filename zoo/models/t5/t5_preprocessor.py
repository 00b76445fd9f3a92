"""T5 preprocessor: SentencePiece tokenizer + encoder / teacher-forced decoder packing, as a Keras layer."""

import keras_hub
import tensorflow as tf

from zoo.models.preprocessor import Preprocessor
from zoo.tokenizers.sentencepiece import SentencePieceTokenizer


class T5Preprocessor(Preprocessor):
    """Turns raw source (and target) strings into T5 inputs, inside the TensorFlow graph.

    Layout (pad id 0, eos id 1 for T5 vocabularies):
    - `encoder_token_ids`: `source... </s> <pad>...` (truncated so `</s>` is kept), `encoder_padding_mask`.
    - `labels`: `target... </s> <pad>...` of length `decoder_sequence_length`.
    - `decoder_token_ids`: the labels shifted right by one with the pad id as decoder start:
      `<pad> target... <pad>...`; `decoder_padding_mask` marks the positions whose label is real, which
      is also the `sample_weight`.

    Args:
        tokenizer: a `zoo.tokenizers.SentencePieceTokenizer`.
        encoder_sequence_length: int, encoder length.
        decoder_sequence_length: int, decoder (and labels) length.

    Call arguments:
        source: a `tf.string` tensor of shape `(batch,)` or `()`.
        target: optional `tf.string` tensor with the same shape.

    Returns:
        Without `target`: a dict `{"encoder_token_ids", "encoder_padding_mask"}`. With `target`: a tuple
        `(x, labels, sample_weight)` where `x` also holds `decoder_token_ids` and `decoder_padding_mask`,
        ready for `Model.fit`. Ids are int32, masks bool, sample weights float32.

    Example:
    ```python
    preprocessor = T5Preprocessor(SentencePieceTokenizer("spm.model"), 16, 8)
    x, labels, sample_weight = preprocessor(["translate: hello"], ["hallo"])
    x["decoder_token_ids"][0, 0]  # 0, the decoder start id
    ```
    """

    tokenizer_class = SentencePieceTokenizer

    def __init__(self, tokenizer, encoder_sequence_length, decoder_sequence_length, **kwargs):
        super().__init__(tokenizer, **kwargs)
        if tokenizer.pad_token_id < 0 or tokenizer.eos_token_id < 0:
            raise ValueError("T5Preprocessor needs a SentencePiece model with <pad> and </s> pieces")
        self.encoder_sequence_length = encoder_sequence_length
        self.decoder_sequence_length = decoder_sequence_length
        self.encoder_packer = keras_hub.layers.StartEndPacker(
            sequence_length=encoder_sequence_length,
            end_value=tokenizer.eos_token_id,
            pad_value=tokenizer.pad_token_id,
            return_padding_mask=True,
            dtype="int32",
        )
        self.decoder_packer = keras_hub.layers.StartEndPacker(
            sequence_length=decoder_sequence_length,
            end_value=tokenizer.eos_token_id,
            pad_value=tokenizer.pad_token_id,
            return_padding_mask=True,
            dtype="int32",
        )

    def call(self, source, target=None):
        encoder_token_ids, encoder_padding_mask = self.encoder_packer(self.tokenizer(source))
        x = {
            "encoder_token_ids": tf.cast(encoder_token_ids, tf.int32),
            "encoder_padding_mask": tf.cast(encoder_padding_mask, tf.bool),
        }
        if target is None:
            return x
        labels, labels_mask = self.decoder_packer(self.tokenizer(target))  # (batch, decoder_length)
        labels = tf.cast(labels, tf.int32)
        start = tf.fill(tf.concat([tf.shape(labels)[:-1], [1]], axis=0), self.tokenizer.pad_token_id)
        decoder_token_ids = tf.concat([start, labels[..., :-1]], axis=-1)  # shifted right
        labels_mask = tf.cast(labels_mask, tf.bool)
        x["decoder_token_ids"] = decoder_token_ids
        x["decoder_padding_mask"] = labels_mask
        return x, labels, tf.cast(labels_mask, tf.float32)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder_sequence_length": self.encoder_sequence_length,
                "decoder_sequence_length": self.decoder_sequence_length,
            }
        )
        return config
