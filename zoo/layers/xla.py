"""Whether the code being traced will be compiled by XLA, for rewrites that pay only under XLA on CPU."""

import tensorflow as tf
from tensorflow.python.ops import control_flow_util  # no public equivalent in TensorFlow 2.20


def compiling_with_xla():
    """True while tracing for XLA: inside `tf.function(jit_compile=True)`, Keras' `jit_compile=True` steps, or a
    function they call. False eagerly and in plain graphs (`jit_compile=False`, TF Serving's graph executor).

    zoo's layers rewrite a few ops for XLA's CPU lowering (parameter broadcasts as matmuls, 16-bit dropout draws,
    softmax and GELU forms, the pooled token alone in the last block) and keep Keras' own ops everywhere else:
    TensorFlow's graph kernels (fused softmax, BiasAdd and its gradient) are fast there already, and the rewrites
    feed oneDNN matrix products of inner size 1 that graph mode has no need for.

    Example:
    >>> compiling_with_xla()
    False
    >>> bool(tf.function(lambda: tf.constant(compiling_with_xla()), jit_compile=True)())
    True
    """
    return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())
