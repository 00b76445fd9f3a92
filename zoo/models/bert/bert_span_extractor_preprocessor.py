"""BERT preprocessing for extractive QA: question + context in; windows over the context, with the character
offsets of every context token (and, for training, the answer's token positions), out."""

import tensorflow as tf

from zoo.models.bert.word_pieces import char_offsets, piece_words, split_words, word_pieces
from zoo.models.preprocessor import Preprocessor
from zoo.tokenizers.wordpiece import WordPieceTokenizer


class BertSpanExtractorPreprocessor(Preprocessor):
    """Packs `[CLS] question [SEP] window [SEP]` for every window of a context, inside the graph.

    The question keeps its first `max_question_length` tokens. A context longer than the room left is cut into
    windows that overlap by `doc_stride` tokens, so every answer lies whole inside some window. Each context
    token carries the character offsets (start, exclusive end) of the word it comes from, in the original
    context; the other positions carry -1. Training and serving run this same `call`; an answer's token
    positions are those of the first token of the word holding its first character and the last token of the
    word holding its last character, or `[CLS]` (0, 0) in windows that do not hold the whole answer and for
    unanswerable questions (`answer_start` -1).

    Args:
        tokenizer: a `zoo.tokenizers.WordPieceTokenizer`.
        sequence_length: int, the packed length of a window.
        doc_stride: int, the overlap of consecutive windows, in tokens.
        max_question_length: int, question tokens kept.

    Call arguments:
        question, context: `tf.string` `(batch,)`.
        answer_start, answer_end: optional int `(batch,)` character offsets of the answer in the context (end
            exclusive; -1 for no answer); adds `start_positions` and `end_positions`.

    Returns:
        dict over the windows of all examples, in example order: `token_ids`, `padding_mask`, `segment_ids`,
        `token_starts`, `token_ends` (int32 character offsets), each `(windows, sequence_length)`; `example`
        (int32 `(windows,)`, the example a window belongs to), `truncated` (bool `(windows,)`, the question was
        cut); and with answers `start_positions`, `end_positions` (int32 `(windows,)`).

    Example:
    ```python
    preprocessor = BertSpanExtractorPreprocessor(tokenizer, sequence_length=64, doc_stride=16)
    windows = preprocessor(tf.constant(["Who wrote it?"]), tf.constant(["It was written by Ada in 1843."]))
    windows["token_starts"]  # [[-1, -1, -1, -1, -1, -1, 0, 3, 7, ...]]
    ```
    """

    tokenizer_class = WordPieceTokenizer

    def __init__(self, tokenizer, sequence_length=384, doc_stride=128, max_question_length=64, **kwargs):
        super().__init__(tokenizer, **kwargs)
        room = sequence_length - max_question_length - 3
        if not 0 <= doc_stride < room:
            raise ValueError(f"doc_stride must be in [0, {room}) for sequence_length={sequence_length} and "
                             f"max_question_length={max_question_length} (a window holds {room} context tokens "
                             f"after the longest question), got {doc_stride}")
        self.sequence_length = sequence_length
        self.doc_stride = doc_stride
        self.max_question_length = max_question_length

    def call(self, question, context, answer_start=None, answer_end=None):
        words, starts, ends = split_words(context)
        pieces = word_pieces(self.tokenizer, words)  # (batch, words, pieces)
        word, _ = piece_words(pieces)
        piece_word = tf.cast(word.flat_values, tf.int64) + tf.gather(words.row_starts(), word.value_rowids())
        starts, ends = (word.with_flat_values(tf.gather(char_offsets(context, offsets).flat_values, piece_word))
                        for offsets in (starts, ends))
        return self.pack(self.tokenizer(question), pieces.merge_dims(1, 2), starts, ends, answer_start, answer_end)

    def pack(self, question, context, starts, ends, answer_start=None, answer_end=None):
        """The packing half of `call`: ragged `(batch, None)` question and context ids, and the context tokens'
        character offsets (ragged like `context`)."""
        question = tf.cast(question, tf.int32)
        truncated = question.row_lengths() > self.max_question_length
        question = question[:, : self.max_question_length]
        context = tf.cast(context, tf.int32)
        question_length = question.row_lengths()
        length = context.row_lengths()
        room = self.sequence_length - 3 - question_length  # context tokens a window holds
        step = room - self.doc_stride
        windows = 1 + (tf.maximum(length - room, 0) + step - 1) // step  # (batch,)
        example = tf.repeat(tf.range(tf.size(windows, out_type=tf.int64)), windows)  # (windows,)
        window_start = tf.ragged.range(windows).flat_values * tf.gather(step, example)
        window_length = tf.minimum(tf.gather(room, example), tf.gather(length, example) - window_start)
        first = tf.gather(context.row_starts(), example) + window_start
        index = tf.ragged.range(first, first + window_length)  # (windows, None) into context.flat_values
        num_windows = tf.shape(example)[0]

        def pack(question_part, context_part, special, pad):
            fill = lambda value: tf.fill([num_windows, 1], tf.constant(value, tf.int32))  # noqa: E731
            packed = tf.concat([fill(special[0]), question_part, fill(special[1]), context_part, fill(special[1])], 1)
            return packed.to_tensor(default_value=pad, shape=[None, self.sequence_length])

        question_rows = tf.gather(question, example)
        no_offsets = tf.zeros_like(question_rows) - 1
        total = tf.gather(question_length, example) + window_length + 3
        positions = tf.range(self.sequence_length, dtype=tf.int64)[None, :]
        context_from = tf.gather(question_length, example)[:, None] + 2  # first context position
        outputs = {
            "token_ids": pack(question_rows, tf.gather(context.flat_values, index),
                              (self.tokenizer.cls_token_id, self.tokenizer.sep_token_id), self.tokenizer.pad_token_id),
            "padding_mask": positions < total[:, None],
            "segment_ids": tf.cast((positions >= context_from) & (positions < total[:, None]), tf.int32),
            "token_starts": pack(no_offsets, tf.gather(tf.cast(starts.flat_values, tf.int32), index), (-1, -1), -1),
            "token_ends": pack(no_offsets, tf.gather(tf.cast(ends.flat_values, tf.int32), index), (-1, -1), -1),
            "example": tf.cast(example, tf.int32),
            "truncated": tf.gather(truncated, example),
        }
        if answer_start is not None:
            first_token, last_token = _answer_tokens(starts, ends, answer_start, answer_end)
            token_first, token_last = tf.gather(first_token, example), tf.gather(last_token, example)
            inside = (token_first >= window_start) & (token_last < window_start + window_length)
            offset = tf.gather(question_length, example) + 2 - window_start
            outputs["start_positions"] = tf.cast(tf.where(inside, token_first + offset, 0), tf.int32)
            outputs["end_positions"] = tf.cast(tf.where(inside, token_last + offset, 0), tf.int32)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(sequence_length=self.sequence_length, doc_stride=self.doc_stride,
                      max_question_length=self.max_question_length)
        return config


def _answer_tokens(starts, ends, answer_start, answer_end):
    """Per example, the context token positions of the answer: the first token ending after `answer_start` and the
    last token starting before `answer_end`; -1 for both when there is no answer or no token covers it."""
    answer_start = tf.cast(answer_start, tf.int32)[:, None]
    answer_end = tf.cast(answer_end, tf.int32)[:, None]
    token_starts = starts.to_tensor(default_value=tf.int32.max)
    token_ends = ends.to_tensor(default_value=-1)
    after = token_ends > answer_start  # (batch, tokens)
    before = (token_starts < answer_end) & (token_ends >= 0)
    first = tf.argmax(tf.cast(after, tf.int32), axis=1)
    width = tf.shape(before, out_type=tf.int64)[1]
    last = width - 1 - tf.argmax(tf.cast(tf.reverse(before, [1]), tf.int32), axis=1)
    found = tf.reduce_any(after, 1) & tf.reduce_any(before, 1) & (answer_start[:, 0] >= 0) & (first <= last)
    return tf.where(found, first, -1), tf.where(found, last, -1)


def best_spans(start_logits, end_logits, token_starts, token_ends, max_answer_length):
    """The best answer of every window: the span `i <= j < i + max_answer_length` of context tokens (offset >= 0)
    with the highest `start_logits[i] + end_logits[j]`.

    Returns:
        dict of `(windows,)` tensors: `score` (the logit sum; -inf when the window has no context token),
        `start`, `end` (character offsets, end exclusive), `probability` (the span's share of all the window's
        valid spans, softmax over their scores) and `null_score` (`[CLS]` as start and end, SQuAD v2.0's no-answer
        score).
    """
    start_logits = tf.cast(start_logits, tf.float32)
    end_logits = tf.cast(end_logits, tf.float32)
    length = tf.shape(start_logits)[1]
    positions = tf.range(length)
    band = (positions[None, :] >= positions[:, None]) & (positions[None, :] - positions[:, None] < max_answer_length)
    valid = token_starts >= 0
    allowed = band[None] & valid[:, :, None] & valid[:, None, :]  # (windows, start, end)
    scores = tf.where(allowed, start_logits[:, :, None] + end_logits[:, None, :], -float("inf"))
    flat = tf.reshape(scores, [tf.shape(scores)[0], -1])
    best = tf.argmax(flat, axis=1, output_type=tf.int32)
    score = tf.reduce_max(flat, axis=1)
    start, end = best // length, best % length
    any_span = tf.reduce_any(allowed, axis=[1, 2])
    total = tf.reduce_logsumexp(tf.where(any_span[:, None], flat, 0.0), axis=1)
    return {
        "score": score,
        "start": tf.where(any_span, tf.gather(token_starts, start, batch_dims=1), -1),
        "end": tf.where(any_span, tf.gather(token_ends, end, batch_dims=1), -1),
        "probability": tf.where(any_span, tf.exp(score - total), 0.0),
        "null_score": start_logits[:, 0] + end_logits[:, 0],
    }
