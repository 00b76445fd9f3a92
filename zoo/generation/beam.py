"""Beam search with HF-compatible scoring: length penalty, and transformers' three `early_stopping` rules."""

import tensorflow as tf
from keras import ops

from zoo.generation.sampler import NEG_INF, Sampler
from zoo.layers.xla import compiling_with_xla

#: `early_stopping` by the name a command line or a recipe config gives it.
EARLY_STOPPING_NAMES = {"true": True, "false": False, "never": "never"}


class BeamSampler(Sampler):
    """Beam search over `num_beams` hypotheses per prompt, in the same single XLA loop as the other samplers.

    Every step takes the `2 * num_beams` best continuations of all beams (accumulated log-softmax). Those
    ending with a stop token, or reaching `max_new_tokens`, become finished hypotheses scored
    `sum(log_probs) / num_new_tokens ** length_penalty` (stop token included) when they are among the best
    `num_beams`; the best `num_beams` others continue, and the cache rows are reordered to follow them (under
    XLA, only the positions written so far: `reorder_rows`; the cache is a nest of attention caches
    `(batch * num_beams, heads, total_length, head_dim)`). When a row stops is transformers' `early_stopping`
    rule (below); a row also stops after `max_new_tokens`. Prompt positions of rows whose prompt is longer than
    the shortest are forced, so beam scores count generated tokens only.

    Args:
        num_beams: beams per prompt (>= 1).
        length_penalty: exponent of the length normalisation (> 0 favours longer outputs).
        num_return_sequences: how many of the best finished hypotheses to return (<= `num_beams`).
        early_stopping: `True` (the default here): a row stops once it holds `num_beams` finished hypotheses.
            `False` (transformers' default): a row with `num_beams` finished hypotheses goes on while its best
            running beam, scored at its current length (`running / num_new_tokens ** length_penalty`), beats
            the worst finished one (finished hypotheses met meanwhile replace worse ones). `"never"`: the same,
            but with `length_penalty > 0` the running beam is scored at `max_new_tokens`, its longest possible
            length (transformers' "canonical" bound).

    Returns (call):
        dict with `token_ids` `(batch, num_return_sequences, total_length)`, `num_new_tokens`
        `(batch, num_return_sequences)` and `scores` `(batch, num_return_sequences)`, best first.

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=8, sampler=BeamSampler(num_beams=4))  # doctest: +SKIP
    """

    def __init__(self, num_beams=4, length_penalty=1.0, num_return_sequences=1, early_stopping=True):
        super().__init__(temperature=1.0)
        if not (isinstance(early_stopping, bool) or early_stopping == "never"):  # 1, 0 or "false" are refused
            raise ValueError(f"early_stopping must be True, False or 'never', got {early_stopping!r}")
        if int(num_beams) < 1:
            raise ValueError(f"num_beams must be >= 1, got {num_beams}")
        if not 1 <= int(num_return_sequences) <= int(num_beams):
            raise ValueError(
                f"num_return_sequences must be in [1, num_beams={num_beams}], got {num_return_sequences}"
            )
        self.num_beams = int(num_beams)
        self.length_penalty = float(length_penalty)
        self.num_return_sequences = int(num_return_sequences)
        self.early_stopping = early_stopping

    def get_config(self):
        return {
            "num_beams": self.num_beams,
            "length_penalty": self.length_penalty,
            "num_return_sequences": self.num_return_sequences,
            "early_stopping": self.early_stopping,
        }

    def decode(self, next_fn, cache, inputs):
        num_beams = self.num_beams
        token_ids, prompt_lengths, total_length = inputs.token_ids, inputs.prompt_lengths, inputs.total_length
        max_new_tokens, stop_token_ids, end = inputs.max_new_tokens, inputs.stop_token_ids, inputs.end
        batch = tf.shape(token_ids)[0]
        flat_batch = batch * num_beams
        sequences = tf.repeat(token_ids[:, None, :], num_beams, axis=1)  # (batch, beams, total_length)

        positions = tf.range(total_length)[None, None, :]
        beam_range = tf.range(num_beams)[None, :]  # (1, beams)
        row_offset = (tf.range(batch) * num_beams)[:, None]  # (batch, 1)
        is_top = tf.range(2 * num_beams)[None, :] < num_beams  # (1, 2 * beams)

        def cond(index, *state):
            row_done = state[-1]
            return tf.logical_and(index < end, tf.logical_not(tf.reduce_all(row_done)))

        def body(index, sequences, running, cache, finished, finished_scores, finished_lengths,
                 finished_flags, row_done):
            previous = tf.slice(tf.reshape(sequences, [flat_batch, total_length]), [0, index - 1], [flat_batch, 1])
            logits, cache = next_fn(previous, cache, index - 1)  # (batch * beams, vocab)
            vocabulary_size = tf.shape(logits)[-1]
            log_probs = tf.nn.log_softmax(tf.cast(logits, tf.float32), axis=-1)
            log_probs = tf.reshape(log_probs, [batch, num_beams, vocabulary_size]) + running[:, :, None]
            scores, flat_indices = tf.math.top_k(
                tf.reshape(log_probs, [batch, num_beams * vocabulary_size]), k=2 * num_beams
            )  # (batch, 2 * beams)
            source_beam = flat_indices // vocabulary_size
            tokens = flat_indices % vocabulary_size
            candidates = tf.gather(sequences, source_beam, batch_dims=1)  # (batch, 2 * beams, total_length)
            candidates = tf.where(positions == index, tokens[:, :, None], candidates)
            num_new = index - prompt_lengths + 1  # (batch,)
            hits = tf.logical_or(
                tf.reduce_any(tokens[:, :, None] == stop_token_ids[None, None, :], axis=2),
                (num_new >= max_new_tokens)[:, None],
            )  # (batch, 2 * beams)

            # Beams that continue: the best candidates that did not stop.
            running_scores = scores + tf.cast(hits, tf.float32) * NEG_INF
            new_running, keep = tf.math.top_k(running_scores, k=num_beams)
            new_sequences = tf.gather(candidates, keep, batch_dims=1)
            new_source = tf.gather(source_beam, keep, batch_dims=1)  # (batch, beams)

            # Hypotheses that end here, merged with the ones kept so far.
            just_finished = tf.logical_and(hits, is_top)
            penalty = tf.cast(num_new, tf.float32) ** self.length_penalty
            ended_scores = scores / penalty[:, None]
            if self.early_stopping is True:  # a full row takes no more hypotheses (transformers masks them too)
                full = tf.reduce_all(finished_flags, axis=1, keepdims=True)
                ended_scores += tf.cast(full, tf.float32) * NEG_INF
            ended_scores += tf.cast(tf.logical_not(just_finished), tf.float32) * NEG_INF
            merged_scores = tf.concat([finished_scores, ended_scores], axis=1)  # (batch, 3 * beams)
            new_finished_scores, best = tf.math.top_k(merged_scores, k=num_beams)
            new_finished = tf.gather(tf.concat([finished, candidates], axis=1), best, batch_dims=1)
            merged_lengths = tf.concat([finished_lengths, tf.broadcast_to(num_new[:, None], tf.shape(hits))], 1)
            new_finished_lengths = tf.gather(merged_lengths, best, batch_dims=1)
            new_finished_flags = tf.gather(tf.concat([finished_flags, just_finished], 1), best, batch_dims=1)

            # Rows still in their prompt, or already done, keep their state (and their cache order).
            active = tf.logical_and(index >= prompt_lengths, tf.logical_not(row_done))  # (batch,)
            rows = active[:, None]
            sequences = tf.where(rows[:, :, None], new_sequences, sequences)
            running = tf.where(rows, new_running, running)
            finished = tf.where(rows[:, :, None], new_finished, finished)
            finished_scores = tf.where(rows, new_finished_scores, finished_scores)
            finished_lengths = tf.where(rows, new_finished_lengths, finished_lengths)
            finished_flags = tf.where(rows, new_finished_flags, finished_flags)
            order = tf.reshape(tf.where(rows, new_source, beam_range) + row_offset, [flat_batch])
            cache = reorder_rows(cache, order, written=index, total_length=total_length)
            if self.early_stopping is True:
                settled = tf.reduce_all(finished_flags, axis=1)
            else:
                settled = tf.logical_not(self.can_improve(running, finished_scores, finished_flags, num_new,
                                                          max_new_tokens))
            row_done = tf.logical_or(
                row_done, tf.logical_and(active, tf.logical_or(settled, num_new >= max_new_tokens))
            )
            return (index + 1, sequences, running, cache, finished, finished_scores, finished_lengths,
                    finished_flags, row_done)

        running = tf.where(beam_range == 0, 0.0, NEG_INF) * tf.ones([batch, 1])  # (batch, beams)
        state = (
            inputs.start,
            sequences,
            running,
            cache,
            sequences,
            tf.fill([batch, num_beams], NEG_INF),
            tf.zeros([batch, num_beams], tf.int32),
            tf.zeros([batch, num_beams], tf.bool),
            tf.zeros([batch], tf.bool),
        )
        state = tf.while_loop(cond, body, state, maximum_iterations=total_length)
        finished, finished_scores, finished_lengths = state[4], state[5], state[6]
        ends = (prompt_lengths[:, None] + finished_lengths)[:, :, None]
        finished = tf.where(positions < ends, finished, inputs.pad_token_id)
        n = self.num_return_sequences
        return {
            "token_ids": finished[:, :n],
            "num_new_tokens": finished_lengths[:, :n],
            "scores": finished_scores[:, :n],
        }

    def can_improve(self, running, finished_scores, finished_flags, num_new, max_new_tokens):
        """Per row, whether the best running beam may still beat the worst finished hypothesis (always while
        fewer than `num_beams` have finished): transformers' `_check_early_stop_heuristic`. `running`
        `(batch, beams)` is sorted best first, `num_new` `(batch,)` counts the tokens it holds."""
        length = num_new
        if self.early_stopping == "never" and self.length_penalty > 0.0:
            length = tf.broadcast_to(max_new_tokens, tf.shape(num_new))
        # The bound divides by a float64 power cast to float32, as torch divides by python's `int ** float`.
        penalty = tf.cast(tf.cast(length, tf.float64) ** self.length_penalty, tf.float32)
        best_running = running[:, :1] / penalty[:, None]  # (batch, 1)
        worst = tf.reduce_min(finished_scores, axis=1, keepdims=True)
        worst = tf.where(finished_flags, worst, NEG_INF)  # (batch, beams)
        return tf.reduce_any(best_running > worst, axis=1)


def reorder_rows(cache, order, written, total_length):
    """`cache` with its rows in `order` (int32 `(rows,)`): every tensor of the nest is an attention cache
    `(rows, heads, total_length, head_dim)` (`MultiHeadAttention.init_cache`) whose positions `>= written` are
    not written yet (each step writes its position before attending to it).

    Outside XLA, a gather of each whole tensor. Under XLA, only the written positions move, in blocks of
    `block_length(total_length)` positions updated in place: a gather of the whole tensor would move every
    position at every step, and its result would then be copied back into the loop's state buffer."""
    if not compiling_with_xla():
        return tf.nest.map_structure(lambda tensor: tf.gather(tensor, order, axis=0), cache)
    tensors = tf.nest.flatten(cache)
    block = block_length(total_length)

    def body(number, *tensors):
        start, moved = number * block, []
        for tensor in tensors:
            shape = tf.shape(tensor)
            rows = tf.gather(tf.slice(tensor, [0, 0, start, 0], [shape[0], shape[1], block, shape[3]]), order)
            moved.append(ops.slice_update(tensor, (0, 0, start, 0), rows))  # XLA's in-place dynamic-update-slice
        return (number + 1, *moved)

    # The loop counts blocks one by one: XLA runs `while i < 1` with steps of i > 1 zero times (TF 2.20, CPU).
    blocks = (written + block - 1) // block
    tensors = tf.while_loop(lambda number, *_: number < blocks, body, (tf.constant(0), *tensors))[1:]
    return tf.nest.pack_sequence_as(cache, list(tensors))


def block_length(total_length, longest=16):
    """The largest power of two up to `longest` that divides `total_length`: blocks of cache positions that
    never overlap (beam search's cache reordering under XLA)."""
    length = longest
    while total_length % length:
        length //= 2
    return length
