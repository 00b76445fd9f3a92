"""Serving signatures of a `TokenClassifier` (NER): raw text in; entities with type, character offsets and score
out.

`serving_default` cuts the text into words as BERT's pre-tokenization does (whitespace dropped; each
punctuation mark a word of its own), tags every word from its first sub-word exactly as training did
(`BertTokenClassifierPreprocessor`), and groups the words into entities: a word starts an entity at `B-`/`S-`,
or when its type differs from the previous word's, or after an `E-`/`S-` word (IOB1, IOB2 and BIOES tags).
Outputs are dense and padded to the batch's most entities: `entity_text` (""), `entity_type` (""),
`entity_start`/`entity_end` (character offsets into the input, end exclusive; -1), `entity_score` (mean
probability of the entity's word tags; 0), and `num_entities`.

Over-long inputs: sub-words beyond the preprocessor's `sequence_length - 2` are dropped, as in training; their
words are tagged "O" and `truncated` is True for that row. An empty row has no entities.

`serve_token_ids` takes the tokenizer's ids (no special tokens) and tags every token as a word of its own:
`tag` (string), `tag_id`, `score` per token (padded positions: "O", 0, 0), and `truncated`.
"""

import tensorflow as tf

from zoo.export.serving import TEXT, model_function, ragged_token_ids, string_spec, token_ids_specs
from zoo.models.bert.word_pieces import clean_text, word_pieces


def word_tags(probabilities, word_ids, num_words):
    """Per word (ragged `(batch, words)` with `num_words` per row): the argmax tag id and its probability, read at
    the word's first sub-word; words without one (truncated away, or no pieces) get tag 0 ("O") and 0."""
    found = tf.where(word_ids >= 0)  # (n, 2): row, position
    rows = found[:, 0]
    words = tf.cast(tf.gather_nd(word_ids, found), tf.int64)
    picked = tf.gather_nd(probabilities, found)  # (n, tags)
    shape = tf.stack([tf.shape(word_ids, out_type=tf.int64)[0], tf.reduce_max(tf.concat([num_words, [0]], 0))])
    index = tf.stack([rows, words], axis=1)
    tags = tf.scatter_nd(index, tf.argmax(picked, axis=-1, output_type=tf.int32), tf.cast(shape, tf.int64))
    scores = tf.scatter_nd(index, tf.reduce_max(picked, axis=-1), tf.cast(shape, tf.int64))
    return (tf.RaggedTensor.from_tensor(tags, lengths=num_words),
            tf.RaggedTensor.from_tensor(scores, lengths=num_words))


def entities(text, tags, scores, starts, ends):
    """Groups tagged words (ragged `(batch, words)` tag strings, scores, character offsets) into padded entities."""
    prefix = tf.strings.substr(tags.flat_values, 0, 1)
    kind = tf.strings.regex_replace(tags.flat_values, "^[A-Z]-", "")
    inside = tf.not_equal(tags.flat_values, "O")
    first_in_row = tf.equal(tf.range(tf.shape(prefix, out_type=tf.int64)[0]), tf.gather(tags.row_starts(),
                                                                                           tags.value_rowids()))
    previous = lambda values, fill: tf.where(first_in_row, fill, tf.concat([[fill], values[:-1]], 0))  # noqa: E731
    begins = inside & (tf.strings.regex_full_match(prefix, "[BSU]")
                       | ~previous(inside, False)
                       | tf.not_equal(previous(kind, ""), kind)
                       | tf.strings.regex_full_match(previous(prefix, "O"), "[ESLU]"))
    entity = tf.cumsum(tf.cast(begins, tf.int32)) - 1  # (words,) entity number of every word (valid if inside)
    count = tf.reduce_sum(tf.cast(begins, tf.int32))
    members = tf.where(inside)[:, 0]
    of = tf.gather(entity, members)
    first_word = tf.math.unsorted_segment_min(members, of, count)
    last_word = tf.math.unsorted_segment_max(members, of, count)
    row = tf.gather(tags.value_rowids(), first_word)
    start = tf.gather(starts.flat_values, first_word)
    end = tf.gather(ends.flat_values, last_word)
    per_row = lambda values: tf.RaggedTensor.from_value_rowids(values, row, nrows=tags.nrows())  # noqa: E731
    return {
        "entity_text": per_row(tf.strings.substr(tf.gather(text, row), start, end - start, unit="UTF8_CHAR"))
        .to_tensor(""),
        "entity_type": per_row(tf.gather(kind, first_word)).to_tensor(""),
        "entity_start": per_row(start).to_tensor(-1),
        "entity_end": per_row(end).to_tensor(-1),
        "entity_score": per_row(tf.math.unsorted_segment_mean(tf.gather(scores.flat_values, members), of, count))
        .to_tensor(0.0),
        "num_entities": tf.cast(per_row(start).row_lengths(), tf.int32),
    }


def signatures(task_model, preprocessor, labels=None, xla=False):
    """`serving_default` and `serve_token_ids` of a `TokenClassifier` with a `BertTokenClassifierPreprocessor`.

    Args:
        task_model: a `zoo.models.TokenClassifier`.
        preprocessor: the `BertTokenClassifierPreprocessor` used in training.
        labels: tag names by id, "O" first (the tag of words the model did not see).
        xla: compile the model's forward pass with XLA.
    """
    labels = [str(label) for label in labels] if labels is not None else None
    if labels is None or len(labels) != task_model.num_classes or labels[0] != "O":
        raise ValueError(f"labels must name the model's {task_model.num_classes} tags with 'O' first, got {labels}")
    names = tf.constant(labels)
    forward = model_function(task_model, xla)
    vocabulary_size = preprocessor.tokenizer.vocabulary_size()

    def tag(pieces, num_words):
        features = preprocessor.pack(pieces)
        logits = forward({key: features[key] for key in ("token_ids", "padding_mask", "segment_ids")})
        probabilities = tf.nn.softmax(tf.cast(logits, tf.float32), axis=-1)  # (batch, length, tags)
        ids, scores = word_tags(probabilities, features["word_ids"], num_words)
        return ids, scores, features["truncated"]

    @tf.function(input_signature=[string_spec(TEXT)], autograph=False)
    def serving_default(text):
        words, starts, ends = preprocessor.split(text)
        ids, scores, truncated = tag(word_pieces(preprocessor.tokenizer, words), words.row_lengths())
        return {**entities(clean_text(text), tf.gather(names, ids), scores, starts, ends), "truncated": truncated}

    @tf.function(input_signature=token_ids_specs(), autograph=False)
    def serve_token_ids(token_ids, padding_mask):
        tokens = ragged_token_ids(token_ids, padding_mask, vocabulary_size)  # each token a word of its own
        pieces = tokens.with_flat_values(tf.RaggedTensor.from_uniform_row_length(tokens.flat_values, 1))
        ids, scores, truncated = tag(pieces, tokens.row_lengths())
        shape = tf.shape(token_ids)
        ids = ids.to_tensor(0, shape=shape)
        return {"tag": tf.gather(names, ids), "tag_id": ids, "score": scores.to_tensor(0.0, shape=shape),
                "truncated": truncated}

    return {"serving_default": serving_default, "serve_token_ids": serve_token_ids}
