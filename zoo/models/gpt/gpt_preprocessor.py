"""GPT preprocessor: byte-level BPE tokenizer + start/pad packer, as a Keras layer."""

import keras_hub
import tensorflow as tf

from zoo.models.preprocessor import Preprocessor
from zoo.tokenizers.byte_pair import BytePairTokenizer


class GPTPreprocessor(Preprocessor):
    """Turns raw strings into GPT inputs, inside the TensorFlow graph.

    Layout: `<|endoftext|> tokens...` (GPT-2 uses its end-of-text token as BOS), optionally followed by
    `<|endoftext|>` as EOS, truncated to `sequence_length` and right-padded with the end-of-text id
    (GPT-2 has no pad token); `padding_mask` marks the real positions.

    Args:
        tokenizer: a `zoo.tokenizers.BytePairTokenizer`.
        sequence_length: int, the packed length.
        add_start_token: bool, prepend `<|endoftext|>`. Defaults to `True`.
        add_end_token: bool, append `<|endoftext|>`. Defaults to `False`.

    Call arguments:
        x: a `tf.string` tensor of shape `(batch,)` or `()`.

    Returns:
        A dict with `token_ids` (int32) and `padding_mask` (bool) of shape `(batch, sequence_length)`.

    Example:
    ```python
    preprocessor = GPTPreprocessor(BytePairTokenizer("vocab.json", "merges.txt"), sequence_length=8)
    preprocessor(["hello world"])  # {"token_ids": [[eos, ..., eos]], "padding_mask": [[True, ..., False]]}
    ```
    """

    tokenizer_class = BytePairTokenizer

    def __init__(self, tokenizer, sequence_length, add_start_token=True, add_end_token=False, **kwargs):
        super().__init__(tokenizer, **kwargs)
        self.sequence_length = sequence_length
        self.add_start_token = add_start_token
        self.add_end_token = add_end_token
        self.packer = keras_hub.layers.StartEndPacker(
            sequence_length=sequence_length,
            start_value=tokenizer.eos_token_id,
            end_value=tokenizer.eos_token_id,
            pad_value=tokenizer.eos_token_id,
            return_padding_mask=True,
            dtype="int32",
        )

    def call(self, x):
        token_ids, padding_mask = self.packer(
            self.tokenizer(x), add_start_value=self.add_start_token, add_end_value=self.add_end_token
        )
        return {"token_ids": tf.cast(token_ids, tf.int32), "padding_mask": tf.cast(padding_mask, tf.bool)}

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "add_start_token": self.add_start_token,
                "add_end_token": self.add_end_token,
            }
        )
        return config
