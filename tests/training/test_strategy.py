import os

import pytest
import tensorflow as tf

from zoo.training import strategy as strategy_module
from zoo.training.strategy import get_strategy

TPU_VARIABLES = ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR")


@pytest.fixture
def no_tpu_hint(monkeypatch):
    for variable in TPU_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    if any(os.path.exists(device) for device in ("/dev/accel0", "/dev/vfio/0")):
        pytest.skip("a TPU VM")


def test_default_is_the_default_strategy(no_tpu_hint):
    assert get_strategy("default") is tf.distribute.get_strategy()


def test_auto_without_tpu_or_gpus_is_the_default_strategy(no_tpu_hint):
    if len(tf.config.list_logical_devices("GPU")) > 1:
        pytest.skip("several GPUs: auto picks MirroredStrategy")
    # Not merely one replica (MirroredStrategy over the CPU has one too): the very default strategy.
    assert get_strategy("auto") is tf.distribute.get_strategy()


def test_auto_picks_a_tpu_when_one_is_hinted(no_tpu_hint, monkeypatch):
    requested = []
    monkeypatch.setattr(strategy_module, "_tpu_strategy", lambda address: requested.append(address) or "tpu")
    assert get_strategy("auto", tpu_address="grpc://tpu.example:8470") == "tpu"
    monkeypatch.setenv("TPU_NAME", "my-tpu")
    assert get_strategy("auto") == "tpu"
    assert requested == ["grpc://tpu.example:8470", None]


def test_mirrored_builds_variables_in_scope():
    strategy = get_strategy("mirrored")
    assert isinstance(strategy, tf.distribute.MirroredStrategy)
    outside = tf.Variable(1.0)
    with strategy.scope():
        assert tf.distribute.get_strategy() is strategy
        variable = tf.Variable(2.0)
    assert strategy.extended.variable_created_in_scope(variable)
    assert not strategy.extended.variable_created_in_scope(outside)
    replicas = strategy.experimental_local_results(variable)  # one copy a replica, all with the initial value
    assert [float(v.numpy()) for v in replicas] == [2.0] * strategy.num_replicas_in_sync


def test_unknown_name_lists_choices():
    with pytest.raises(ValueError, match="'gpu'.*auto, default, one_device, mirrored, multi_worker, tpu"):
        get_strategy("gpu")


def test_tpu_without_tpu_is_a_clear_error(no_tpu_hint):
    with pytest.raises(RuntimeError, match="strategy 'tpu'"):
        get_strategy("tpu")


def test_one_device_strategy():
    strategy = get_strategy("one_device")
    assert isinstance(strategy, tf.distribute.OneDeviceStrategy) and strategy.num_replicas_in_sync == 1


def test_logical_cpu_devices_cannot_change_once_tensorflow_started():
    from zoo.training.config import ConfigError
    from zoo.training.strategy import configure_cpu_devices

    tf.constant(1.0)  # TensorFlow has started
    present = len(tf.config.list_logical_devices("CPU"))
    configure_cpu_devices(present)  # what it already is: fine
    with pytest.raises(ConfigError, match=f"num_cpu_devices.*already started with {present} logical CPU"):
        configure_cpu_devices(present + 1)
