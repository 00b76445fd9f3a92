"""Builds the Model Garden checkpoints the Garden import tests read, with tf-models-official, and their outputs.

    python -m tests.convert.garden_fixtures OUT_DIR

Run in a process of its own (the `garden_checkpoints` fixture does): importing `official` brings in `tf_keras`,
which must never enter the test process. Each case is a directory under OUT_DIR with the checkpoint (a prefix
`ckpt` or a model dir with `ckpt-N`), `params.yaml` where Model Garden writes one, and `reference.npz`: the
inputs (`input_word_ids`, `input_mask`, `input_type_ids`, `masked_lm_positions`) and Model Garden's outputs.
Every variable (norms and biases included) is set at random, so a weight left at its initial value is noticed.
"""

import os
import sys

import numpy as np
import tensorflow as tf
import tf_keras
from official.core import config_definitions
from official.modeling import hyperparams
from official.nlp.configs import bert, encoders
from official.nlp.modeling import networks
from official.nlp.tasks import masked_lm, sentence_prediction

GEOMETRY = dict(vocab_size=99, hidden_size=32, num_layers=2, num_attention_heads=4, intermediate_size=37,
                max_position_embeddings=16, type_vocab_size=2)


def inputs():
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 99, size=(3, 10)).astype("int32")
    mask = np.ones_like(ids)
    mask[1, 7:] = 0
    mask[2, 4:] = 0
    segments = np.zeros_like(ids)
    segments[0, 5:] = 1
    positions = np.array([[1, 3, 5, 8], [0, 2, 4, 6], [1, 2, 3, 0]], "int32")
    return {"input_word_ids": ids * mask, "input_mask": mask, "input_type_ids": segments,
            "masked_lm_positions": positions}


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    for variable in model.trainable_variables:
        gamma = "gamma" in variable.name
        variable.assign((1.0 if gamma else 0.0) + (1.0 if gamma else 0.3) * rng.standard_normal(variable.shape))


def encoder_config(**overrides):
    return encoders.EncoderConfig(type="bert_v2", bert_v2=encoders.BertEncoderConfig(**{**GEOMETRY, **overrides}))


def pretraining_config(**overrides):
    model = bert.PretrainerConfig(encoder=encoder_config(**overrides), cls_heads=[
        bert.ClsHeadConfig(inner_dim=GEOMETRY["hidden_size"], num_classes=2, name="next_sentence")])
    return config_definitions.ExperimentConfig(task=masked_lm.MaskedLMConfig(model=model))


def encoder_inputs(data):
    return {key: data[key] for key in ("input_word_ids", "input_mask", "input_type_ids")}


def save_reference(directory, data, encoder, pretrainer=None):
    outputs = encoder(encoder_inputs(data))
    arrays = dict(data, sequence_output=outputs["sequence_output"], pooled_output=outputs["pooled_output"])
    if pretrainer is not None:
        outputs = pretrainer(data)
        head = pretrainer.classification_heads[0]
        arrays.update(mlm_logits=outputs["mlm_logits"], nsp_logits=outputs["next_sentence"],
                      nsp_pooled=head(outputs["sequence_output"], only_project=True))
    np.savez(os.path.join(directory, "reference.npz"), **{key: np.asarray(value) for key, value in arrays.items()})


def trainer_checkpoint(model, directory, data, steps):
    """What Model Garden's trainer writes: `ckpt-N` in the model dir, holding global_step, model, optimizer and
    the model's checkpoint items (official.core.base_trainer.Trainer)."""
    step = tf.Variable(0, dtype=tf.int64)
    optimizer = tf_keras.optimizers.Adam(1e-2)
    checkpoint = tf.train.Checkpoint(global_step=step, model=model, optimizer=optimizer, **model.checkpoint_items)
    manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=5)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            outputs = model(data)
            loss = sum(tf.reduce_mean(tf.square(value)) for value in tf.nest.flatten(outputs))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients([(g, v) for g, v in zip(gradients, model.trainable_variables) if g is not None])
        step.assign_add(1)
        manager.save(checkpoint_number=step)


def main(out):
    data = inputs()

    def case(name):
        directory = os.path.join(out, name)
        os.makedirs(directory)
        return directory

    # A bare encoder, Model Garden's defaults (tanh-approximate GELU, post-norm).
    encoder = encoders.build_encoder(encoder_config())
    encoder(encoder_inputs(data))
    randomize(encoder, 0)
    directory = case("encoder")
    tf.train.Checkpoint(encoder=encoder).write(os.path.join(directory, "ckpt"))
    save_reference(directory, data, encoder)

    # A pretrainer built by the masked_lm task from its config, saved three ways.
    experiment = pretraining_config()
    pretrainer = masked_lm.MaskedLMTask(experiment.task).build_model()
    pretrainer(data)
    randomize(pretrainer, 1)
    directory = case("pretrainer_items")
    tf.train.Checkpoint(**pretrainer.checkpoint_items).write(os.path.join(directory, "ckpt"))
    save_reference(directory, data, pretrainer.encoder_network, pretrainer)
    directory = case("pretrainer_model")
    tf.train.Checkpoint(model=pretrainer, **pretrainer.checkpoint_items).write(os.path.join(directory, "ckpt"))
    save_reference(directory, data, pretrainer.encoder_network, pretrainer)
    directory = case("trainer")
    hyperparams.save_params_dict_to_yaml(experiment, os.path.join(directory, "params.yaml"))
    trainer_checkpoint(pretrainer, directory, data, steps=3)  # ckpt-1, ckpt-2, ckpt-3: the latest is read
    save_reference(directory, data, pretrainer.encoder_network, pretrainer)

    # A fine-tuned classifier (sentence_prediction task), trained two steps.
    task = sentence_prediction.SentencePredictionConfig(
        model=sentence_prediction.ModelConfig(num_classes=3, encoder=encoder_config()))
    classifier = sentence_prediction.SentencePredictionTask(task).build_model()
    classifier(encoder_inputs(data))
    randomize(classifier, 2)
    directory = case("classifier")
    hyperparams.save_params_dict_to_yaml(config_definitions.ExperimentConfig(task=task),
                                         os.path.join(directory, "params.yaml"))
    trainer_checkpoint(classifier, directory, encoder_inputs(data), steps=2)
    save_reference(directory, data, classifier.checkpoint_items["encoder"])

    # Settings the weights do not show: a pre-norm encoder, with its params.yaml.
    experiment = pretraining_config(norm_first=True)
    encoder = encoders.build_encoder(experiment.task.model.encoder)
    encoder(encoder_inputs(data))
    randomize(encoder, 3)
    directory = case("norm_first")
    hyperparams.save_params_dict_to_yaml(experiment, os.path.join(directory, "params.yaml"))
    tf.train.CheckpointManager(tf.train.Checkpoint(encoder=encoder), directory, max_to_keep=1).save()
    save_reference(directory, data, encoder)

    # Exact GELU: built in code (Model Garden's config has no name for it; its `gelu` is the tanh approximation).
    encoder = networks.BertEncoderV2(
        vocab_size=99, hidden_size=32, num_layers=2, num_attention_heads=4, inner_dim=37, max_sequence_length=16,
        inner_activation=lambda x: tf_keras.activations.gelu(x, approximate=False))
    encoder(encoder_inputs(data))
    randomize(encoder, 4)
    directory = case("exact_gelu")
    tf.train.Checkpoint(encoder=encoder).write(os.path.join(directory, "ckpt"))
    save_reference(directory, data, encoder)

    # The legacy functional BertEncoder (encoder.type 'bert', Model Garden's default type).
    small = dict(vocab_size=99, hidden_size=32, num_layers=2, num_attention_heads=4, max_sequence_length=16)
    encoder = networks.BertEncoder(**small, inner_dim=37, type_vocab_size=2, dict_outputs=True)
    encoder(encoder_inputs(data))
    randomize(encoder, 5)
    directory = case("legacy")
    tf.train.Checkpoint(encoder=encoder).write(os.path.join(directory, "ckpt"))
    save_reference(directory, data, encoder)

    # Encoders zoo does not import.
    unsupported = {
        "albert": networks.AlbertEncoder(**small, embedding_width=16, intermediate_size=37),
        "projection": networks.BertEncoderV2(**small, inner_dim=37, embedding_width=16),
    }
    for name, network in unsupported.items():
        network(encoder_inputs(data))
        tf.train.Checkpoint(encoder=network).write(os.path.join(case(name), "ckpt"))
    # A BertEncoderV2 with one variable BertBackbone has no place for.
    encoder = networks.BertEncoderV2(**small, inner_dim=37)
    encoder(encoder_inputs(data))
    encoder._pooler_layer.extra_scale = tf.Variable(np.ones((32,), "float32"))
    tf.train.Checkpoint(encoder=encoder).write(os.path.join(case("extra_variable"), "ckpt"))


if __name__ == "__main__":
    main(sys.argv[1])
