"""Serving signatures of language models: GPT generation (`CausalLM` + `GPTPreprocessor`), translation and
summarization (`Seq2SeqLM` + `T5Preprocessor`). Raw prompt text in, generated `text` out, the decode loop in
the graph (`zoo.generation.export`), without XLA unless `xla=True`.

Prompts are built as in training: GPT `<|endoftext|> tokens...` (the preprocessor's start token), T5
`tokens... </s>`. Over-long prompts (more than `max_prompt_length` tokens with those special tokens): a causal LM
keeps the END of the prompt (it continues the text), an encoder-decoder keeps the beginning, as
`T5Preprocessor` does in training; `truncated` reports it per row. An empty prompt (or one that tokenizes to
nothing) is generated from the start token alone (GPT) or from `</s>` alone (T5), never a batch error.
"""

import tensorflow as tf

from zoo.export.serving import TEXT, ragged_token_ids, string_spec, token_ids_specs
from zoo.generation.export import causal_lm_export_function, seq2seq_lm_export_function
from zoo.generation.outputs import detokenize


def _causal_prompts(token_ids, max_prompt_length, start_token_id, add_start_token):
    """Ragged tokenizer ids -> prompts `[start] + the last tokens that fit`, and whether each was cut. Without a
    start token (a preprocessor with `add_start_token=False`) only an empty prompt gets one."""
    room = max_prompt_length - 1 if add_start_token else max_prompt_length
    truncated = token_ids.row_lengths() > room
    kept = token_ids[:, -room:]
    needs_start = tf.ones_like(kept.row_lengths()) if add_start_token else tf.cast(kept.row_lengths() == 0, tf.int64)
    start = tf.RaggedTensor.from_row_lengths(
        tf.fill([tf.reduce_sum(needs_start)], tf.constant(start_token_id, tf.int32)), needs_start)
    return tf.concat([start, kept], axis=1), truncated


def _encoder_prompts(token_ids, max_prompt_length, end_token_id):
    """Ragged tokenizer ids -> encoder inputs `the first tokens that fit + [</s>]`, and whether each was cut."""
    room = max_prompt_length - 1
    truncated = token_ids.row_lengths() > room
    end = tf.fill([token_ids.nrows(), 1], tf.constant(end_token_id, tf.int32))
    return tf.concat([token_ids[:, :room], tf.RaggedTensor.from_tensor(end)], axis=1), truncated


def signatures(task_model, preprocessor, sampler="greedy", max_prompt_length=64, max_new_tokens=32,
               stop_token_ids="eos", seed=0, xla=False):
    """`serving_default` and `serve_token_ids` of a `CausalLM` or `Seq2SeqLM`.

    Args:
        task_model: a `zoo.models.CausalLM` (with a `GPTPreprocessor`) or `Seq2SeqLM` (with a `T5Preprocessor`).
        preprocessor: the training preprocessor (its tokenizer and special tokens).
        sampler: a `zoo.generation` sampler or its name; beam search returns its best hypothesis.
        max_prompt_length: prompt tokens, special tokens included (the rest is cut, see the module docstring).
        max_new_tokens: new tokens per prompt at most.
        stop_token_ids: ids that end a row (kept in `token_ids`); `"eos"` (default) is the tokenizer's
            end-of-text token (`<|endoftext|>`, `</s>`); None never stops early.
        seed: seed of the random samplers (same seed, same text).
        xla: compile the decode loop with XLA (TF Serving then needs `--xla_cpu_compilation_enabled=true`).

    Returns:
        `{"serving_default": f(text), "serve_token_ids": f(token_ids, padding_mask)}`, each returning `text`
        (string `(batch,)`, the detokenized new tokens, as `generate` gives them), `token_ids` (int32
        `(batch, max_new_tokens)`, padded), `num_new_tokens` (int32 `(batch,)`), `truncated` (bool `(batch,)`),
        and `scores` (float32 `(batch,)`) for beam search.
    """
    tokenizer = preprocessor.tokenizer
    # `tf.random.set_seed` drops the SentencePiece op's model resource; an eager call reloads it before tracing.
    tokenizer(tf.constant(["a"]))
    eos = tokenizer.eos_token_id
    stop = [eos] if isinstance(stop_token_ids, str) and stop_token_ids == "eos" else stop_token_ids
    options = dict(sampler=sampler, max_prompt_length=max_prompt_length, max_new_tokens=max_new_tokens,
                   stop_token_ids=stop, seed=seed, xla=xla)
    if hasattr(task_model, "encode"):  # encoder-decoder
        pad = tokenizer.pad_token_id
        run = seq2seq_lm_export_function(task_model, pad_token_id=pad, decoder_start_token_id=pad, **options)

        def prompts(token_ids):
            return _encoder_prompts(token_ids, max_prompt_length, eos)
    else:
        pad = getattr(tokenizer, "pad_token_id", eos)
        add_start = getattr(preprocessor, "add_start_token", True)
        run = causal_lm_export_function(task_model, pad_token_id=pad, **options)

        def prompts(token_ids):
            return _causal_prompts(token_ids, max_prompt_length, eos, add_start)

    def answer(token_ids):
        prompt, truncated = prompts(tf.cast(token_ids, tf.int32))
        result = dict(run(prompt.to_tensor(pad), tf.ones_like(prompt, tf.bool).to_tensor(False)))
        result["text"] = detokenize(preprocessor, result["token_ids"], result["num_new_tokens"])
        result["truncated"] = truncated
        return result

    @tf.function(input_signature=[string_spec(TEXT)], autograph=False)
    def serving_default(text):
        return answer(tokenizer(text))

    @tf.function(input_signature=token_ids_specs(), autograph=False)
    def serve_token_ids(token_ids, padding_mask):
        return answer(ragged_token_ids(token_ids, padding_mask, task_model.backbone.vocabulary_size))

    return {"serving_default": serving_default, "serve_token_ids": serve_token_ids}
