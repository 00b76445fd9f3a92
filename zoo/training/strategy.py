"""Distribution strategy selection by name, for the `strategy` field of every recipe config.

`prepare_strategy` runs before any data is read (the recipes call it through `check_config`): it checks the
name and `TF_CONFIG`, splits the CPU into logical devices when asked (`--num_cpu_devices`, which must happen
before TensorFlow starts) and creates the strategy; `get_strategy` returns it again in the runner.

Multi-worker training (`multi_worker`) reads the cluster from the `TF_CONFIG` environment variable, e.g. for the
first of two workers on one machine:

    TF_CONFIG='{"cluster": {"worker": ["localhost:12345", "localhost:12346"]}, "task": {"type": "worker",
    "index": 0}}' python -m zoo.recipes.sentiment --config ... --strategy multi_worker

Example:

```python
strategy = get_strategy("auto")
with strategy.scope():
    model = build_model()
```
"""

import json
import os

import tensorflow as tf

from zoo.training.config import STRATEGIES, ConfigError

STRATEGY_NAMES = STRATEGIES

# Environment hints that a Cloud TPU is attached (a TPU node name, a GKE endpoint, or the devices of a TPU VM).
_TPU_ENV_VARIABLES = ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR")
_TPU_VM_DEVICES = ("/dev/accel0", "/dev/vfio/0")

# MultiWorkerMirroredStrategy configures the process's collective ops: one per process, reused.
_MULTI_WORKER = []


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
            "or choose another strategy (auto, default, one_device, mirrored, multi_worker).") from error
    return tf.distribute.TPUStrategy(resolver)


def check_tf_config(text):
    """Checks a `TF_CONFIG` value for multi-worker training; returns it parsed (None when unset).

    Raises ConfigError (quoting the problem) for text that is not JSON, a cluster that is not a mapping of job
    names to address lists, a task outside its cluster, or parameter servers (Keras 3 does not support
    parameter-server training).
    """
    if not text:
        return None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        around = text[max(0, error.pos - 20): error.pos + 20]
        raise ConfigError(f"TF_CONFIG is not valid JSON: {error.msg} at line {error.lineno} column {error.colno} "
                          f"(near {around!r})") from None
    if not isinstance(content, dict):
        raise ConfigError(f"TF_CONFIG: expected a JSON object with 'cluster' and 'task', got {text[:80]!r}")
    cluster, task = content.get("cluster"), content.get("task")
    if not isinstance(cluster, dict) or not cluster or not all(
            isinstance(addresses, list) and addresses for addresses in cluster.values()):
        raise ConfigError(f"TF_CONFIG: 'cluster' must map job names to non-empty lists of host:port addresses, "
                          f"got {cluster!r}")
    if "ps" in cluster:
        raise ConfigError("TF_CONFIG names parameter servers ('ps'): Keras 3 does not support parameter-server "
                          "training; use --strategy multi_worker with only 'chief' and 'worker' jobs")
    if not isinstance(task, dict) or "type" not in task:
        raise ConfigError(f"TF_CONFIG: 'task' must be an object with 'type' and 'index', got {task!r}")
    kind, index = task["type"], task.get("index", 0)
    if kind not in cluster:
        raise ConfigError(f"TF_CONFIG: task type {kind!r} is not a job of the cluster (jobs: "
                          f"{', '.join(sorted(cluster))})")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(cluster[kind]):
        raise ConfigError(f"TF_CONFIG: task index {index!r} is outside the cluster: job {kind!r} has "
                          f"{len(cluster[kind])} address(es) {cluster[kind]}")
    return content


def configure_cpu_devices(count):
    """Splits the first CPU into `count` logical devices (MirroredStrategy then has a replica on each).

    Must run before TensorFlow initialises its devices; afterwards it only succeeds when the devices already
    are that many. Raises ConfigError otherwise.
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        present = len(tf.config.list_logical_devices("CPU"))
        if present != count:
            raise ConfigError(f"field 'num_cpu_devices': TensorFlow has already started with {present} logical CPU "
                              f"device(s), so {count} cannot be configured; pass it to a fresh process") from None


def prepare_strategy(name, num_cpu_devices=None):
    """Checks and creates the strategy `name` before any data is read (see the module docstring).

    Raises ConfigError naming the field, or quoting TF_CONFIG, for anything no run can use.
    """
    if name not in STRATEGY_NAMES:
        raise ConfigError(f"field 'strategy': unknown distribution strategy {name!r}; expected one of: "
                          f"{', '.join(STRATEGY_NAMES)}")
    if num_cpu_devices is not None:
        configure_cpu_devices(num_cpu_devices)
    if name == "multi_worker":
        check_tf_config(os.environ.get("TF_CONFIG"))
    try:
        return get_strategy(name)
    except RuntimeError as error:
        raise ConfigError(f"field 'strategy': {error}") from None


def _local_devices():
    """All GPUs, else all logical CPUs (several only when `configure_cpu_devices` split the CPU)."""
    gpus = tf.config.list_logical_devices("GPU")
    return [device.name for device in (gpus or tf.config.list_logical_devices("CPU"))]


def get_strategy(name="auto", tpu_address=None):
    """Returns a `tf.distribute.Strategy` chosen by name.

    Args:
        name: one of
            "auto": a TPU when one is resolvable (TPU_NAME set or a TPU VM), else `MirroredStrategy` over
                all GPUs when there are more than one, else the default strategy;
            "default": the default (single device) strategy;
            "one_device": `OneDeviceStrategy` on the first GPU, else the CPU;
            "mirrored": `MirroredStrategy` over all local GPUs, else all logical CPU devices (one unless
                `configure_cpu_devices` split the CPU);
            "tpu": `TPUStrategy`, failing with a clear error when no TPU is resolvable;
            "multi_worker": `MultiWorkerMirroredStrategy`, configured by the TF_CONFIG environment variable
                (created once per process).
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
    if name == "one_device":
        return tf.distribute.OneDeviceStrategy(_local_devices()[0])
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(_local_devices())
    if name == "tpu":
        return _tpu_strategy(tpu_address)
    if not _MULTI_WORKER:
        _MULTI_WORKER.append(tf.distribute.MultiWorkerMirroredStrategy())
        _average_logs_over_workers()
    return _MULTI_WORKER[0]


def _average_logs_over_workers():
    """Works around tensorflow/tensorflow#72388: Keras 3's `fit` under `MultiWorkerMirroredStrategy` reduces each
    step's logs with `strategy.reduce("MEAN", value, axis=0)`, which fails on the scalar loss and metrics
    ("Invalid reduction dimension 0 for input with 0 dimensions"). Each float log is averaged over the workers
    with one all-reduce instead; everything else goes to Keras's own reduction."""
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer

    original = trainer.reduce_per_replica
    if getattr(original, "averages_over_workers", False):
        return

    def reduce_per_replica(values, strategy, reduction):
        if reduction not in ("auto", "mean") or not trainer._collective_all_reduce_multi_worker(strategy):
            return original(values, strategy, reduction)

        def mean(value):
            local = strategy.experimental_local_results(value)[0] if tf.is_tensor(value) or \
                trainer._is_per_replica_instance(value) else None
            if local is None or not local.dtype.is_floating or local.shape.rank != 0:
                return original(value, strategy, reduction)
            averaged = strategy.run(lambda v: tf.distribute.get_replica_context().all_reduce("MEAN", v),
                                    args=(value,))
            return strategy.experimental_local_results(averaged)[0]

        return tree.map_structure(mean, values)

    reduce_per_replica.averages_over_workers = True
    trainer.reduce_per_replica = reduce_per_replica


def mean_over_workers(strategy, value):
    """`value`, a float each process computed, averaged over the workers of a multi-worker strategy (one
    all-reduce: every worker must call this at the same point and gets the same result); `value` otherwise."""
    from keras.src.backend.tensorflow import trainer

    if not trainer._collective_all_reduce_multi_worker(strategy):
        return float(value)

    def mean():  # the value is made on each replica's device, where the all-reduce runs
        return tf.distribute.get_replica_context().all_reduce("MEAN", tf.constant(value, tf.float32))

    return float(strategy.experimental_local_results(tf.function(lambda: strategy.run(mean))())[0])


def worker_name(strategy):
    """`(is_chief, name)` of this process in `strategy`: the chief (or a single process) writes checkpoints,
    summaries, metrics and exports; the others (`"worker1"`, ...) write to temporary directories."""
    resolver = getattr(strategy, "cluster_resolver", None)
    task = f"{resolver.task_type}{resolver.task_id}" if resolver is not None and resolver.task_type else "chief"
    return bool(getattr(strategy.extended, "should_checkpoint", True)), task
