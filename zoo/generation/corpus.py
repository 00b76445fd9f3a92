"""Generation over a whole corpus (an evaluation split): prompts sorted by length and cut into batches of one
fixed size, so the compiled decode loop is traced once per length bucket rather than once per batch shape.
"""

import numpy as np


def generate_corpus(model, prompts, batch_size=32, **generate_arguments):
    """`model.generate` over many prompts; returns the new tokens of each prompt, in the prompts' order.

    Prompts are sorted by length (so a batch pads little) and decoded `batch_size` at a time; a short last
    batch is filled up with copies of its first prompt, whose outputs are dropped, so every call has the same
    batch size.

    Args:
        model: a `CausalLM` or `Seq2SeqLM` (anything with `generate(list of id lists, ...)`).
        prompts: a list of non-empty lists of token ids.
        batch_size: prompts per `generate` call.
        **generate_arguments: passed to `model.generate` (`max_new_tokens`, `sampler`, `stop_token_ids`, ...).

    Returns:
        A list with, per prompt, the list of new token ids (the stop token included when one was reached).

    Example:
    ```python
    new_tokens = generate_corpus(model, [[5, 6, 1], [7, 1]], batch_size=64, max_new_tokens=40,
                                 sampler=BeamSampler(num_beams=4, length_penalty=0.6))
    ```
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    prompts = [list(prompt) for prompt in prompts]
    order = np.argsort([len(prompt) for prompt in prompts], kind="stable")
    outputs = [None] * len(prompts)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = [prompts[row] for row in rows]
        batch += [batch[0]] * (batch_size - len(batch))
        generated = model.generate(batch, **generate_arguments)
        for row, tokens in zip(rows, generated):
            outputs[row] = list(tokens)
    return outputs
