"""Encoder-decoder language model head (T5): decoder logits, with a cached decoder for generation."""

import keras
from keras import ops

from zoo.models.task_model import TaskModel


@keras.saving.register_keras_serializable(package="zoo")
class Seq2SeqLM(TaskModel):
    """Decoder-token logits from an encoder-decoder backbone. A tied head (T5 v1.0) scales the decoder output
    by `hidden_dim**-0.5` before the embedding transpose; an untied one (v1.1) has its own projection.

    `encode` then `decode` is the single forward pass; `decode` takes an optional cache, so training, prefill
    and step-by-step decoding share it.

    Args:
        backbone: an encoder-decoder `Backbone` (e.g. `T5Backbone`).

    Returns:
        float32 logits `(batch, decoder_length, vocabulary_size)`.

    Example:
    >>> from zoo.models import T5Backbone
    >>> model = Seq2SeqLM(T5Backbone.from_preset("t5_tiny"))
    >>> ids = keras.ops.ones((2, 5), "int32")
    >>> model({"encoder_token_ids": ids, "encoder_padding_mask": ids > 0, "decoder_token_ids": ids}).shape
    TensorShape([2, 5, 1000])
    """

    language_model = True

    def __init__(self, backbone, **kwargs):
        super().__init__(backbone, **kwargs)
        self._build_from_dummy_inputs()

    def logits(self, decoder_output, lm_head_kernel=None):
        if self.lm_head is None:
            scaled = decoder_output * ops.cast(self.backbone.hidden_dim**-0.5, decoder_output.dtype)
            return self.backbone.token_embedding(scaled, reverse=True, reverse_kernel=lm_head_kernel)
        return self.lm_head(decoder_output)

    def encode(self, encoder_token_ids, encoder_padding_mask, training=None):
        return self.backbone.encode(encoder_token_ids, encoder_padding_mask, training=training)

    def init_cache(self, encoder_output, max_length):
        return self.backbone.init_cache(encoder_output, max_length)

    def decode(self, decoder_token_ids, encoder_output, encoder_padding_mask, decoder_padding_mask=None,
               cache=None, cache_update_index=None, training=None, lm_head_kernel=None):
        decoded = self.backbone.decode(
            decoder_token_ids, encoder_output, encoder_padding_mask, decoder_padding_mask=decoder_padding_mask,
            cache=cache, cache_update_index=cache_update_index, training=training,
        )
        if cache is None:
            return self.logits(decoded, lm_head_kernel)
        decoded, cache = decoded
        return self.logits(decoded, lm_head_kernel), cache

    def call(self, inputs, training=None):
        encoder_mask = inputs["encoder_padding_mask"]
        encoder_output = self.encode(inputs["encoder_token_ids"], encoder_mask, training=training)
        return self.decode(inputs["decoder_token_ids"], encoder_output, encoder_mask,
                           decoder_padding_mask=inputs.get("decoder_padding_mask"), training=training)

    def generate(self, inputs, max_new_tokens=32, sampler="greedy", stop_token_ids=(1,), seed=None,
                 pad_token_id=0, decoder_start_token_id=0, preprocessor=None):
        """Encodes `inputs` and decodes up to `max_new_tokens` tokens from `decoder_start_token_id` in one
        compiled XLA loop (`zoo.generation.seq2seq_lm_generate`). Arguments and outputs as
        `CausalLM.generate`; T5 defaults: start token 0 (pad), stop at 1 (eos).
        """
        from zoo.generation import seq2seq_lm_generate

        return seq2seq_lm_generate(self, inputs, max_new_tokens=max_new_tokens, sampler=sampler,
                                   stop_token_ids=stop_token_ids, seed=seed, pad_token_id=pad_token_id,
                                   decoder_start_token_id=decoder_start_token_id, preprocessor=preprocessor)
