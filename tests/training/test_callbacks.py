"""The runner's callbacks: `DevMetric`'s time budget is decided on the epoch times every worker agrees on."""

import json

import numpy as np

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras

from zoo.training.callbacks import DevMetric
from zoo.training.strategy import mean_over_workers


def fit_with(dev, epochs=5):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=epochs, verbose=0, callbacks=[dev])


def test_time_budget_uses_the_agreed_epoch_time(tmp_path):
    # Every epoch takes milliseconds, but the workers agree it took 60 s: a 100 s budget has no room for a second.
    dev = DevMetric(lambda model: {"score": 1.0}, "score", tmp_path, time_budget=100, agree=lambda seconds: 60.0)
    fit_with(dev)
    history = json.loads((tmp_path / "history.json").read_text())
    assert [record["train_seconds"] for record in history["history"]] == [60.0] and history["stopped"]


def test_without_agreement_the_measured_time_decides(tmp_path):
    dev = DevMetric(lambda model: {"score": 1.0}, "score", tmp_path, time_budget=100)
    fit_with(dev, epochs=3)
    assert len(dev.history) == 3 and not dev.stopped


def test_mean_over_workers_is_the_value_itself_without_workers():
    import tensorflow as tf

    assert mean_over_workers(tf.distribute.get_strategy(), 12.5) == 12.5
