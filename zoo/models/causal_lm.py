"""Causal language model head: next-token logits, with the cached forward pass used for generation."""

import keras

from zoo.models.task_model import TaskModel


@keras.saving.register_keras_serializable(package="zoo")
class CausalLM(TaskModel):
    """Next-token logits from a decoder backbone through the tied embedding (or an own projection when the
    backbone's `tie_embeddings` is False).

    `call(inputs, cache, cache_update_index)` is the single forward pass: without a cache it scores whole
    sequences (training); with one it prefills a prompt or decodes a step. `next` is the sampler protocol.

    Args:
        backbone: a decoder `Backbone` (e.g. `GPTBackbone`) with `init_cache`.

    Returns:
        float32 logits `(batch, length, vocabulary_size)`, and the updated cache when given one.

    Example:
    >>> from zoo.models import GPTBackbone
    >>> model = CausalLM(GPTBackbone.from_preset("gpt_tiny"))
    >>> model({"token_ids": keras.ops.ones((2, 8), "int32")}).shape
    TensorShape([2, 8, 1000])
    """

    language_model = True

    def __init__(self, backbone, **kwargs):
        super().__init__(backbone, **kwargs)
        self._build_from_dummy_inputs()

    def logits(self, sequence_output, lm_head_kernel=None):
        if self.lm_head is None:
            return self.backbone.token_embedding(sequence_output, reverse=True, reverse_kernel=lm_head_kernel)
        return self.lm_head(sequence_output)

    def call(self, inputs, cache=None, cache_update_index=None, training=None, lm_head_kernel=None):
        outputs = self.backbone(inputs, cache=cache, cache_update_index=cache_update_index, training=training)
        logits = self.logits(outputs["sequence_output"], lm_head_kernel)  # (batch, length, vocab)
        if cache is None:
            return logits
        return logits, outputs["cache"]

    def init_cache(self, batch_size, max_length):
        return self.backbone.init_cache(batch_size, max_length)

    def next(self, token_ids, cache, index, lm_head_kernel=None):
        """Sampler protocol: logits `(batch, vocab)` for the token after `token_ids` (written at `index`),
        and the updated cache. `lm_head_kernel` comes from `decoding_constants()`."""
        logits, cache = self({"token_ids": token_ids}, cache=cache, cache_update_index=index,
                             lm_head_kernel=lm_head_kernel)
        return logits[:, -1, :], cache

    def generate(self, inputs, max_new_tokens=32, sampler="greedy", stop_token_ids=None, seed=None,
                 pad_token_id=0, preprocessor=None):
        """Generates up to `max_new_tokens` tokens after each prompt in one compiled XLA loop
        (`zoo.generation.causal_lm_generate`).

        Args:
            inputs: token ids: a list of lists (any lengths), a padded array, or `{"token_ids",
                "padding_mask"}` (right padding); or strings when `preprocessor` (a tokenizer) is given.
            max_new_tokens: new tokens per prompt at most (> 0).
            sampler: a `zoo.generation.Sampler` or "greedy", "temperature", "top_k", "top_p", "beam".
            stop_token_ids: ids that end a row (kept in its output); a finished row emits `pad_token_id`.
            seed: int seed of the stateless sampling (same seed, same tokens); None draws fresh randomness.
            pad_token_id: filler after a row has finished.
            preprocessor: tokenizer with `detokenize`, for string inputs.

        Returns:
            new tokens only: a list of lists for list/string inputs (strings for string inputs), else a dict
            `{"token_ids": (batch, max_new_tokens), "padding_mask"}` (+ `"scores"` for beam search).
        """
        from zoo.generation import causal_lm_generate

        return causal_lm_generate(self, inputs, max_new_tokens=max_new_tokens, sampler=sampler,
                                  stop_token_ids=stop_token_ids, seed=seed, pad_token_id=pad_token_id,
                                  preprocessor=preprocessor)
