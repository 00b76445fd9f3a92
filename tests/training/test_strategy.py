import os

import pytest
import tensorflow as tf

from zoo.training.strategy import get_strategy


def test_default_and_auto_on_single_device(monkeypatch):
    for variable in ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR"):
        monkeypatch.delenv(variable, raising=False)
    assert get_strategy("default") is tf.distribute.get_strategy()
    if len(tf.config.list_logical_devices("GPU")) <= 1:
        strategy = get_strategy("auto")
        assert strategy.num_replicas_in_sync == 1
        with strategy.scope():
            variable = tf.Variable(1.0)
        assert float(variable.numpy()) == 1.0


def test_mirrored_builds_variables_in_scope():
    strategy = get_strategy("mirrored")
    assert isinstance(strategy, tf.distribute.MirroredStrategy)
    with strategy.scope():
        variable = tf.Variable(2.0)
    assert float(variable.numpy()) == 2.0


def test_unknown_name_lists_choices():
    with pytest.raises(ValueError, match="'gpu'.*auto, default, mirrored, tpu, multi_worker"):
        get_strategy("gpu")


def test_tpu_without_tpu_is_a_clear_error(monkeypatch):
    if any(os.path.exists(device) for device in ("/dev/accel0", "/dev/vfio/0")):
        pytest.skip("a TPU VM")
    for variable in ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(RuntimeError, match="strategy 'tpu'"):
        get_strategy("tpu")
