"""Batched inference over a `FeatureTable` for the dev/test metrics, with one compiled function per model.

Example:

```python
predictor = Predictor(batch_size=64, boundaries=bucket_lengths(128), jit_compile=True)
for batch, outputs in predictor(model, table):
    predictions[batch["index"]] = outputs.argmax(-1)
```
"""

import tensorflow as tf

#: The feature columns a model reads; the others (labels, indices, offsets) stay with the batch.
INPUT_KEYS = ("token_ids", "padding_mask", "segment_ids")


class Predictor:
    """Runs a model over a table in length-sorted batches and yields `(batch, outputs)` as NumPy.

    Args:
        batch_size: rows per batch.
        boundaries: the padded lengths (`zoo.training.batches.bucket_lengths`).
        jit_compile: compile the forward pass with XLA.
        decode: optional `(outputs, batch) -> outputs` run in the graph after the model (not XLA-compiled),
            e.g. the best answer span of each window.
        input_keys: the columns passed to the model.
    """

    def __init__(self, batch_size, boundaries, jit_compile=False, decode=None, input_keys=INPUT_KEYS):
        self.batch_size, self.boundaries = batch_size, boundaries
        self.jit_compile, self.decode, self.input_keys = jit_compile, decode, input_keys
        self._functions = {}

    def _function(self, model):
        key = id(model)
        if key not in self._functions:
            forward = tf.function(lambda inputs: model(inputs, training=False), jit_compile=self.jit_compile,
                                  reduce_retracing=True)

            def step(batch):
                outputs = forward({name: batch[name] for name in self.input_keys if name in batch})
                return self.decode(outputs, batch) if self.decode is not None else outputs

            self._functions = {key: (model, tf.function(step, reduce_retracing=True))}  # one model at a time
        return self._functions[key][1]

    def __call__(self, model, table):
        function = self._function(model)
        for batch in table.dataset(table.sorted_batches(self.batch_size, self.boundaries)):
            outputs = function(batch)
            yield ({name: value.numpy() for name, value in batch.items()},
                   tf.nest.map_structure(lambda value: value.numpy(), outputs))
