"""Distribution strategy selection by name, for the `strategy` field of every recipe config.

Example:

```python
strategy = get_strategy("auto")
with strategy.scope():
    model = build_model()
```
"""

import os

import tensorflow as tf

STRATEGY_NAMES = ("auto", "default", "mirrored", "tpu", "multi_worker")

# Environment hints that a Cloud TPU is attached (a TPU node name, a GKE endpoint, or the devices of a TPU VM).
_TPU_ENV_VARIABLES = ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR")
_TPU_VM_DEVICES = ("/dev/accel0", "/dev/vfio/0")


def _tpu_hinted():
    return any(os.environ.get(name) for name in _TPU_ENV_VARIABLES) or any(
        os.path.exists(device) for device in _TPU_VM_DEVICES)


def _tpu_strategy(tpu_address):
    """Connects to a TPU (`tpu_address`, else TPU_NAME, else a local TPU VM) and returns a TPUStrategy."""
    if tpu_address is None and not any(os.environ.get(name) for name in _TPU_ENV_VARIABLES):
        tpu_address = "local" if any(os.path.exists(device) for device in _TPU_VM_DEVICES) else None
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu_address)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        raise RuntimeError(
            f"strategy 'tpu': no TPU could be resolved ({error}). Set TPU_NAME or run on a TPU VM, "
            "or choose another strategy (auto, default, mirrored, multi_worker).") from error
    return tf.distribute.TPUStrategy(resolver)


def get_strategy(name="auto", tpu_address=None):
    """Returns a `tf.distribute.Strategy` chosen by name.

    Args:
        name: one of
            "auto": a TPU when one is resolvable (TPU_NAME set or a TPU VM), else `MirroredStrategy` over
                all GPUs when there are more than one, else the default strategy;
            "default": the default (single device) strategy;
            "mirrored": `MirroredStrategy` over all local GPUs (or the CPU when there is none);
            "tpu": `TPUStrategy`, failing with a clear error when no TPU is resolvable;
            "multi_worker": `MultiWorkerMirroredStrategy`, configured by the TF_CONFIG environment variable.
        tpu_address: optional TPU name or `grpc://host:port` for "tpu"/"auto".

    Raises:
        ValueError: unknown name.
        RuntimeError: "tpu" requested but no TPU could be resolved.
    """
    if name not in STRATEGY_NAMES:
        raise ValueError(f"unknown distribution strategy {name!r}; expected one of: {', '.join(STRATEGY_NAMES)}")
    if name == "auto":
        if tpu_address is not None or _tpu_hinted():
            return _tpu_strategy(tpu_address)
        if len(tf.config.list_logical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "tpu":
        return _tpu_strategy(tpu_address)
    return tf.distribute.MultiWorkerMirroredStrategy()
