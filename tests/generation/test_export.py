"""Exported decode loops: saved in a tf.Module, reloaded, same tokens as `generate`."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from zoo.generation import BeamSampler, TopKSampler, causal_lm_export_function, seq2seq_lm_export_function
from zoo.models import CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone
from zoo.tokenizers import BytePairTokenizer

TOKENIZERS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tokenizers")
PROMPTS = [[5, 6, 7], [8, 9, 10, 11, 12], [3]]


def padded(prompts):
    lengths = np.array([len(p) for p in prompts], np.int32)
    ids = np.zeros([len(prompts), lengths.max()], np.int32)
    for i, p in enumerate(prompts):
        ids[i, : len(p)] = p
    return ids, np.arange(ids.shape[1])[None, :] < lengths[:, None]


def save_and_load(model, function, directory):
    module = tf.Module()
    module.model = model
    module.generate = function
    tf.saved_model.save(module, str(directory))
    return tf.saved_model.load(str(directory))


# Without XLA (the export's default) TF's stateless random ops draw other numbers than under XLA (generate's
# loop), so a random sampler matches `generate` token for token only in the XLA variant.
@pytest.mark.parametrize("sampler,xla",
                         [("greedy", False), (TopKSampler(k=5), True), (BeamSampler(num_beams=3), False)])
def test_causal_lm_export_round_trip(tmp_path, sampler, xla):
    keras.utils.set_random_seed(3)
    model = CausalLM(GPTBackbone(vocabulary_size=50, num_layers=2, num_heads=2, hidden_dim=16,
                                 intermediate_dim=32, dropout=0.0, max_sequence_length=32))
    function = causal_lm_export_function(model, sampler, max_prompt_length=8, max_new_tokens=6,
                                         stop_token_ids=[49], seed=5, xla=xla)
    expected = model.generate(PROMPTS, max_new_tokens=6, sampler=sampler, stop_token_ids=[49], seed=5)
    reloaded = save_and_load(model, function, tmp_path / "causal")
    ids, padding_mask = padded(PROMPTS)
    outputs = reloaded.generate(tf.constant(ids), tf.constant(padding_mask))
    counts = outputs["num_new_tokens"].numpy()
    got = [outputs["token_ids"][i, : counts[i]].numpy().tolist() for i in range(len(PROMPTS))]
    assert got == expected
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_prompt_length"):
        reloaded.generate(tf.ones([1, 9], tf.int32), tf.ones([1, 9], tf.bool))
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least one token"):
        reloaded.generate(tf.ones([1, 3], tf.int32), tf.zeros([1, 3], tf.bool))
    with pytest.raises(tf.errors.InvalidArgumentError, match="right padding"):
        reloaded.generate(tf.ones([1, 3], tf.int32), tf.constant([[False, True, True]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape of token_ids"):
        reloaded.generate(tf.ones([1, 3], tf.int32), tf.ones([1, 4], tf.bool))
    with pytest.raises(tf.errors.InvalidArgumentError, match="token ids must be < 50"):
        reloaded.generate(tf.constant([[5, 50]]), tf.ones([1, 2], tf.bool))


def test_one_beam_export_is_greedy():
    """Beam search returns (batch, n, ...) even with one beam; the export takes its best hypothesis."""
    keras.utils.set_random_seed(3)
    model = CausalLM(GPTBackbone(vocabulary_size=50, num_layers=1, num_heads=2, hidden_dim=16,
                                 intermediate_dim=32, dropout=0.0, max_sequence_length=32))
    function = causal_lm_export_function(model, BeamSampler(num_beams=1), max_prompt_length=8, max_new_tokens=4)
    ids, padding_mask = padded(PROMPTS)
    outputs = function(tf.constant(ids), tf.constant(padding_mask))
    assert outputs["token_ids"].numpy().tolist() == model.generate(PROMPTS, max_new_tokens=4)


def test_seq2seq_lm_export_round_trip(tmp_path):
    keras.utils.set_random_seed(4)
    model = Seq2SeqLM(T5Backbone(vocabulary_size=50, num_layers=2, num_heads=2, hidden_dim=16,
                                 intermediate_dim=32, dropout=0.0))
    function = seq2seq_lm_export_function(model, "greedy", max_prompt_length=8, max_new_tokens=5,
                                          stop_token_ids=None)
    expected = model.generate(PROMPTS, max_new_tokens=5, stop_token_ids=None)
    reloaded = save_and_load(model, function, tmp_path / "seq2seq")
    ids, padding_mask = padded(PROMPTS)
    outputs = reloaded.generate(tf.constant(ids), tf.constant(padding_mask))
    assert outputs["token_ids"].numpy().tolist() == expected


def test_string_export_with_tokenizer(tmp_path):
    tokenizer = BytePairTokenizer(os.path.join(TOKENIZERS, "bpe_vocab.json"),
                                  os.path.join(TOKENIZERS, "bpe_merges.txt"))
    keras.utils.set_random_seed(5)
    model = CausalLM(GPTBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2,
                                 hidden_dim=16, intermediate_dim=32, dropout=0.0, max_sequence_length=64))
    texts = ["hello world", "the quick brown fox"]
    function = causal_lm_export_function(model, "greedy", max_prompt_length=16, max_new_tokens=4,
                                         tokenizer=tokenizer)
    expected_ids = model.generate([tokenizer(t).numpy().tolist() for t in texts], max_new_tokens=4)
    expected_text = [tokenizer.detokenize(tf.constant(ids)).numpy() for ids in expected_ids]
    module = tf.Module()
    module.model, module.tokenizer, module.generate = model, tokenizer, function
    tf.saved_model.save(module, str(tmp_path / "text"))
    reloaded = tf.saved_model.load(str(tmp_path / "text"))
    outputs = reloaded.generate(tf.constant(texts))
    assert outputs["token_ids"].numpy().tolist() == expected_ids
    assert outputs["text"].numpy().tolist() == expected_text
    # `generate` on strings through the same tokenizer.
    assert model.generate(texts, max_new_tokens=4, preprocessor=tokenizer) == \
        [t.decode("utf-8") for t in expected_text]


def test_string_export_reloads_in_a_fresh_process(tmp_path):
    """The SavedModel needs only TensorFlow and tensorflow-text's ops: no zoo, no Keras objects."""
    import json
    import subprocess
    import sys

    tokenizer = BytePairTokenizer(os.path.join(TOKENIZERS, "bpe_vocab.json"),
                                  os.path.join(TOKENIZERS, "bpe_merges.txt"))
    keras.utils.set_random_seed(6)
    model = CausalLM(GPTBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=1, num_heads=2,
                                 hidden_dim=16, intermediate_dim=32, dropout=0.0, max_sequence_length=32))
    texts = ["hello world", "a fox"]
    function = causal_lm_export_function(model, "greedy", max_prompt_length=12, max_new_tokens=3,
                                         tokenizer=tokenizer)
    expected = function(tf.constant(texts))
    module = tf.Module()
    module.model, module.tokenizer, module.generate = model, tokenizer, function
    tf.saved_model.save(module, str(tmp_path / "text"))
    script = (
        "import json, sys, tensorflow as tf, tensorflow_text\n"
        "m = tf.saved_model.load(sys.argv[1])\n"
        "out = m.generate(tf.constant(json.loads(sys.argv[2])))\n"
        "print(json.dumps({'ids': out['token_ids'].numpy().tolist(),"
        " 'text': [t.decode('utf-8') for t in out['text'].numpy()]}))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "text"), json.dumps(texts)],
                            capture_output=True, text=True, env=env, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["ids"] == expected["token_ids"].numpy().tolist()
    assert got["text"] == [t.decode("utf-8") for t in expected["text"].numpy()]
