"""Building blocks shared by the task modules' serving signatures (`classification.py`, ...).

Conventions every task module follows:
- `serving_default` takes raw `tf.string` tensors of shape `(None,)` (the batch), and tokenizes in the graph.
- `serve_token_ids` takes `token_ids` int32 `(batch, None)` and `padding_mask` int32 `(batch, None)` (1 = real
  token, 0 = padding): the preprocessor's tokenizer output WITHOUT special tokens, right-padded. Both
  signatures then run the same packing, model and answer code, so a client tokenizing for itself gets exactly
  the answers of the raw-string signature.
- The model forward pass is the only part that `xla=True` compiles (`model_function`); tokenization, packing
  and answer decoding stay plain graph ops, because TF Text's ops have no XLA kernels.
"""

import tensorflow as tf

TEXT = "text"


def string_spec(name=TEXT):
    """The input spec of a batch of raw strings."""
    return tf.TensorSpec([None], tf.string, name=name)


def token_ids_specs(prefix=""):
    """Input specs of `serve_token_ids`: `<prefix>token_ids` and `<prefix>padding_mask`, int32 `(batch, None)`."""
    return [
        tf.TensorSpec([None, None], tf.int32, name=f"{prefix}token_ids"),
        tf.TensorSpec([None, None], tf.int32, name=f"{prefix}padding_mask"),
    ]


def ragged_token_ids(token_ids, padding_mask, vocabulary_size):
    """`(batch, None)` ids and 0/1 mask -> ragged `(batch, None)` ids, the tokenizer's output format.

    Fails with InvalidArgument (naming the input) when the shapes differ or a real id is outside
    `[0, vocabulary_size)`; ids under a 0 in the mask are ignored.
    """
    checks = [
        tf.debugging.assert_equal(
            tf.shape(token_ids), tf.shape(padding_mask),
            message="token_ids and padding_mask must have the same shape",
        )
    ]
    with tf.control_dependencies(checks):
        ragged = tf.ragged.boolean_mask(token_ids, tf.not_equal(padding_mask, 0))
    values = ragged.flat_values
    checks = [
        tf.debugging.assert_non_negative(values, message="token_ids must be >= 0"),
        tf.debugging.assert_less(
            values, tf.constant(vocabulary_size, tf.int32),
            message=f"token_ids must be < the vocabulary size {vocabulary_size}",
        ),
    ]
    with tf.control_dependencies(checks):
        return ragged.with_flat_values(tf.identity(values))


def model_function(task_model, xla=False):
    """`inputs dict -> outputs` of `task_model` in inference mode; compiled with XLA only when `xla`.

    Without XLA this is a plain Python function, so its ops are inlined into the signature's graph and no
    function carries `_XlaMustCompile` (TF Serving disables XLA unless started with
    `--xla_cpu_compilation_enabled=true`).
    """

    def forward(inputs):
        return task_model(inputs, training=False)

    if xla:
        return tf.function(forward, jit_compile=True, autograph=False)
    return forward


def num_special_tokens(preprocessor, num_segments=1):
    """How many special tokens `preprocessor.pack` adds around `num_segments` segments (e.g. 2 for
    `[CLS] a [SEP]`), measured by packing empty segments."""
    empty = tf.ragged.constant([[]], dtype=tf.int32)
    packed = preprocessor.pack((empty,) * num_segments)
    return int(tf.reduce_sum(tf.cast(packed["padding_mask"], tf.int32)))


def truncated_rows(segments, packed, num_special):
    """Bool `(batch,)`: True where packing dropped tokens, i.e. the segments' tokens plus the special tokens
    exceed the real positions of `packed["padding_mask"]`."""
    lengths = tf.add_n([tf.cast(segment.row_lengths(), tf.int32) for segment in segments])
    kept = tf.reduce_sum(tf.cast(packed["padding_mask"], tf.int32), axis=-1)
    return lengths + num_special > kept
