"""The GPT generation export with the BPE tokenizer answers an `<|endoftext|>` prompt (GPT-2's unconditional
start) like the token prompt `[eos]`, through a reloaded SavedModel."""

import keras
import tensorflow as tf

from tests.tokenizers.references import fixture_tokenizer
from zoo.generation import causal_lm_export_function
from zoo.models import CausalLM, GPTBackbone


def test_gpt_export_answers_an_end_of_text_prompt(tmp_path):
    tokenizer = fixture_tokenizer("byte_pair")
    keras.utils.set_random_seed(7)
    model = CausalLM(GPTBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=1, num_heads=2,
                                 hidden_dim=16, intermediate_dim=32, dropout=0.0, max_sequence_length=32))
    function = causal_lm_export_function(model, "greedy", max_prompt_length=8, max_new_tokens=3, tokenizer=tokenizer)
    module = tf.Module()
    module.model, module.tokenizer, module.generate = model, tokenizer, function
    tf.saved_model.save(module, str(tmp_path))
    reloaded = tf.saved_model.load(str(tmp_path))
    outputs = reloaded.generate(tf.constant(["<|endoftext|>", "<|endoftext|>hello"]))
    expected = model.generate([[tokenizer.eos_token_id], [tokenizer.eos_token_id] + tokenizer("hello").numpy().tolist()],
                              max_new_tokens=3)
    assert outputs["token_ids"].numpy().tolist() == expected
    assert outputs["text"].numpy().tolist() == [tokenizer.detokenize(tf.constant(ids)).numpy() for ids in expected]
