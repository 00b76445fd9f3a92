"""T5 beam-4 decoding speed, sentences per second: zoo Seq2SeqLM + BeamSampler vs keras-hub T5Seq2SeqLM with its
BeamSampler vs transformers T5ForConditionalGeneration.generate(num_beams=4).

Run from the repository root: `python -m benchmarks.t5_beam [--quick]`. Random weights, T5 v1.0 layout (ReLU
feed-forward, tied embeddings, relative position bias): 3 encoder + 3 decoder layers, hidden 256, 4 heads,
intermediate 1024, vocab 8192; batch 16 sources of 64 tokens, 64 new tokens, 4 beams. No stop token: every
engine decodes exactly 64 new tokens per sentence (checked), so all do the same work. The three engines are
timed alternately in one process after a warm-up call each (XLA compilation for both Keras engines); the
record `t5_beam` holds medians. Writes `benchmarks/results/t5_beam.json`.
"""

import numpy as np
# torch (and the triton it loads) must be imported before TensorFlow, or the process segfaults.
import torch  # noqa: E402
from transformers import T5Config, T5ForConditionalGeneration  # noqa: E402

import zoo  # noqa: F401,E402  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402

from zoo.generation.beam import BeamSampler  # noqa: E402
from zoo.models import Seq2SeqLM, T5Backbone  # noqa: E402
from benchmarks.side_by_side import alternate, arguments, finish_arguments, publish, record  # noqa: E402

T5 = dict(vocabulary_size=8192, num_layers=3, num_heads=4, hidden_dim=256, intermediate_dim=1024)
TINY = dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64)  # --quick
SHAPE = dict(batch=16, source=64, new_tokens=64, num_beams=4)
TINY_SHAPE = dict(batch=2, source=8, new_tokens=8, num_beams=4)
TARGET = {"transformers": 1.5, "keras_hub": 2.5}
DECODER_START = 0  # T5: the pad id starts the decoder


def sources(config, shape):
    return np.random.default_rng(0).integers(
        2, config["vocabulary_size"], size=(shape["batch"], shape["source"])).astype("int32")


def ours_engine(config, shape):
    keras.utils.set_random_seed(0)
    model = Seq2SeqLM(T5Backbone(**config, dropout=0.0, activation="relu", tie_embeddings=True))
    ids = sources(config, shape)
    sampler = BeamSampler(num_beams=shape["num_beams"])

    def run():
        outputs = model.generate(ids, max_new_tokens=shape["new_tokens"], sampler=sampler, stop_token_ids=None)
        return np.asarray(outputs["padding_mask"]).sum(axis=1)  # new tokens per sentence

    return run


def keras_hub_engine(config, shape):
    import keras_hub

    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.T5Backbone(**config, dropout=0.0, activation="relu", use_gated_activation=False,
                                           tie_embedding_weights=True)
    model = keras_hub.models.T5Seq2SeqLM(backbone=backbone, preprocessor=None)
    model.compile(sampler=keras_hub.samplers.BeamSampler(num_beams=shape["num_beams"]))
    ids = sources(config, shape)
    width = 1 + shape["new_tokens"]  # keras-hub decodes until the decoder_token_ids tensor is full
    decoder_ids = np.full((shape["batch"], width), DECODER_START, "int32")
    decoder_mask = np.zeros((shape["batch"], width), bool)
    decoder_mask[:, 0] = True
    inputs = {"encoder_token_ids": ids, "encoder_padding_mask": np.ones_like(ids, bool),
              "decoder_token_ids": decoder_ids, "decoder_padding_mask": decoder_mask}

    def run():
        outputs = model.generate(inputs, stop_token_ids=None)
        return np.asarray(outputs["decoder_padding_mask"]).sum(axis=1) - 1

    return run


def transformers_engine(config, shape):
    torch.manual_seed(0)
    t5 = T5Config(vocab_size=config["vocabulary_size"], d_model=config["hidden_dim"],
                  d_kv=config["hidden_dim"] // config["num_heads"], d_ff=config["intermediate_dim"],
                  num_layers=config["num_layers"], num_decoder_layers=config["num_layers"],
                  num_heads=config["num_heads"], feed_forward_proj="relu", dropout_rate=0.0,
                  tie_word_embeddings=True, decoder_start_token_id=DECODER_START, pad_token_id=0, eos_token_id=1)
    model = T5ForConditionalGeneration(t5).eval()
    ids = torch.tensor(sources(config, shape), dtype=torch.long)
    mask = torch.ones_like(ids)
    new = shape["new_tokens"]

    def run():
        with torch.inference_mode():
            outputs = model.generate(input_ids=ids, attention_mask=mask, num_beams=shape["num_beams"],
                                     do_sample=False, max_new_tokens=new, min_new_tokens=new)
        return np.full(shape["batch"], outputs.shape[1] - 1)  # minus the decoder start token

    return run


def main(argv=None):
    parser = arguments(__doc__.splitlines()[0], repeats=5)
    args = finish_arguments(parser.parse_args(argv))
    config, shape = (TINY, TINY_SHAPE) if args.quick else (T5, SHAPE)
    engines = {"ours": ours_engine(config, shape), "keras_hub": keras_hub_engine(config, shape),
               "transformers": transformers_engine(config, shape)}

    def check(name, counts):
        if not np.all(counts == shape["new_tokens"]):
            raise RuntimeError(f"{name} produced {counts.tolist()} new tokens per sentence, "
                               f"expected {shape['new_tokens']}")

    medians = alternate(engines, args.repeats, shape["batch"], check=check, unit="sentences/s")
    result = record("t5_beam", "sentences_per_s", medians, TARGET, {
        "layers": f"{config['num_layers']}+{config['num_layers']}", "hidden": config["hidden_dim"],
        "heads": config["num_heads"], "intermediate": config["intermediate_dim"],
        "vocab": config["vocabulary_size"], **shape, "repeats": args.repeats, "weights": "random",
        "decoding": "beam, no stop token, length penalty 1", "keras_hub_model": "T5Seq2SeqLM + BeamSampler",
    }, digits=2)
    publish("t5_beam", result, args)


if __name__ == "__main__":
    main()
