"""`models.config` for TF Serving: one entry per exported model under a base directory.

    python -m zoo.export.model_config saved_models [--serving_root /models]

A model is a directory `<base_dir>/<name>/` holding at least one integer version directory with a
`saved_model.pb`. Its `base_path` in the config is `<serving_root>/<name>`: `/models/<name>` for the TF Serving
docker image with `-v $PWD/saved_models:/models`; `--serving_root ""` writes absolute local paths instead.
"""

import argparse
import os
import sys
import tempfile

CONFIG_FILE = "models.config"
DOCKER_ROOT = "/models"


def versions(model_dir):
    """Integer versions of `model_dir` that hold a SavedModel, ascending."""
    found = []
    if os.path.isdir(model_dir):
        for entry in os.listdir(model_dir):
            if entry.isdigit() and os.path.isfile(os.path.join(model_dir, entry, "saved_model.pb")):
                found.append(int(entry))
    return sorted(found)


def exported_models(base_dir):
    """Names of the model directories of `base_dir` that hold at least one version, sorted."""
    base_dir = os.fspath(base_dir)
    if not os.path.isdir(base_dir):
        return []
    return sorted(name for name in os.listdir(base_dir)
                  if not name.startswith(".") and versions(os.path.join(base_dir, name)))


def model_config_text(base_dir, serving_root=DOCKER_ROOT):
    """The text-format `ModelServerConfig` serving every model of `base_dir`."""
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = model_server_config_pb2.ModelServerConfig()
    for name in exported_models(base_dir):
        root = serving_root if serving_root else os.path.abspath(os.fspath(base_dir))
        entry = config.model_config_list.config.add()
        entry.name = name
        entry.base_path = f"{root.rstrip('/')}/{name}"
        entry.model_platform = "tensorflow"
    return text_format.MessageToString(config)


def write_model_config(base_dir, serving_root=DOCKER_ROOT):
    """Writes `<base_dir>/models.config` (atomically: temporary file + rename); returns its path."""
    base_dir = os.fspath(base_dir)
    text = model_config_text(base_dir, serving_root)
    path = os.path.join(base_dir, CONFIG_FILE)
    handle, temporary = tempfile.mkstemp(prefix=".models.config.", dir=base_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m zoo.export.model_config", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_dir", help="the export base directory, e.g. saved_models")
    parser.add_argument("--serving_root", default=DOCKER_ROOT,
                        help="where the model server sees base_dir (default /models; '' for local paths)")
    args = parser.parse_args(argv)
    if not exported_models(args.base_dir):
        print(f"{parser.prog}: error: no exported model (<name>/<version>/saved_model.pb) under "
              f"{args.base_dir!r}", file=sys.stderr)
        return 2
    path = write_model_config(args.base_dir, args.serving_root)
    print(f"wrote {path}:")
    print(open(path, encoding="utf-8").read(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
