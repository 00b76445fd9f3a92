"""Op audit of a SavedModel: what a stock TF Serving (core TensorFlow + TF Text's op libraries) can run.

    python -m zoo.export.audit saved_models/sentiment/1 [--allow_xla]

Every op of the graph and of its function library must be a core TensorFlow op or a TF Text op (or a call of a
function of the library); `PyFunc` / `EagerPyFunc` (Python callbacks) and ops no library registers (Keras- or
zoo-only) fail the audit. Unless `allow_xla`, so do `Xla*` ops and functions or nodes marked for XLA
compilation (`_XlaMustCompile`): TF Serving disables XLA unless started with `--xla_cpu_compilation_enabled`.
Exit status 0 when the audit passes, 1 when it finds problems, 2 on a bad path.
"""

import argparse
import collections
import glob
import os
import sys

PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
XLA_ATTRS = ("_XlaMustCompile", "_XlaCompile")


class AuditError(ValueError):
    """A SavedModel that stock TF Serving could not run (the message lists every problem)."""


def text_ops():
    """Names of the ops registered by TF Text's op libraries (the `.so` files inside the package)."""
    import tensorflow_text
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session

    names = set()
    root = os.path.dirname(tensorflow_text.__file__)
    for path in sorted(glob.glob(os.path.join(root, "python", "*", "_*.so"))):
        handle = pywrap_tf_session.TF_LoadLibrary(path)  # what tf.load_op_library does, keeping the op list
        try:
            ops = op_def_pb2.OpList.FromString(pywrap_tf_session.TF_GetOpList(handle))
        finally:
            pywrap_tf_session.TF_DeleteLibraryHandle(handle)
        names.update(op.name for op in ops.op)
    return frozenset(names)


def _read_graph(export_dir):
    from tensorflow.core.protobuf import saved_model_pb2

    path = os.path.join(os.fspath(export_dir), "saved_model.pb")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no saved_model.pb in {os.fspath(export_dir)!r}")
    saved_model = saved_model_pb2.SavedModel()
    with open(path, "rb") as f:
        saved_model.ParseFromString(f.read())
    if len(saved_model.meta_graphs) != 1:
        raise AuditError(f"{path}: expected one MetaGraph, found {len(saved_model.meta_graphs)}")
    return saved_model.meta_graphs[0].graph_def


def _marked_for_xla(attrs):
    return [name for name in XLA_ATTRS if name in attrs and attrs[name].b]


def audit_ops(export_dir, allow_xla=False):
    """Audits the SavedModel in `export_dir`.

    Returns:
        `(ops, problems)`: `ops` maps each op name to `(kind, count)` with kind `"core"`, `"tf_text"` or
        `"function"` (a call of a library function) or `"unknown"`; `problems` is a list of messages, empty
        when a stock TF Serving with XLA disabled (unless `allow_xla`) can run the graph.
    """
    from tensorflow.python.framework import op_def_registry

    graph = _read_graph(export_dir)
    functions = {function.signature.name: function for function in graph.library.function}
    nodes = [("graph", node) for node in graph.node]
    nodes += [(name, node) for name, function in functions.items() for node in function.node_def]
    text = text_ops()
    counts = collections.Counter(node.op for _, node in nodes)
    ops, problems = {}, []
    for op, count in sorted(counts.items()):
        if op in functions:
            kind = "function"
        elif op in text:
            kind = "tf_text"
        elif op_def_registry.get(op) is not None:
            kind = "core"
        else:
            kind = "unknown"
            problems.append(f"op {op} ({count}x) is neither a core TensorFlow nor a TF Text op")
        ops[op] = (kind, count)
        if op in PYTHON_OPS:
            problems.append(f"op {op} ({count}x) calls back into Python: no model server can run it")
        if op.startswith("Xla") and not allow_xla:
            problems.append(f"op {op} ({count}x) runs only through XLA, which TF Serving disables by default")
    if not allow_xla:
        for name, function in functions.items():
            for attr in _marked_for_xla(function.attr):
                problems.append(f"function {name} is marked for XLA compilation ({attr})")
        for where, node in nodes:
            for attr in _marked_for_xla(node.attr):
                problems.append(f"node {node.name} ({node.op}) in {where} is marked for XLA compilation ({attr})")
    return ops, problems


def check_ops(export_dir, allow_xla=False):
    """Raises `AuditError` listing every problem `audit_ops` finds in `export_dir`; returns the op table."""
    ops, problems = audit_ops(export_dir, allow_xla=allow_xla)
    if problems:
        raise AuditError(f"{os.fspath(export_dir)}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return ops


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m zoo.export.audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export_dir", help="a SavedModel directory, e.g. saved_models/sentiment/1")
    parser.add_argument("--allow_xla", action="store_true", help="accept Xla* ops and XLA-compiled functions")
    args = parser.parse_args(argv)
    try:
        ops, problems = audit_ops(args.export_dir, allow_xla=args.allow_xla)
    except (FileNotFoundError, AuditError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    kinds = collections.Counter()
    for kind, count in ops.values():
        kinds[kind] += count
    print(f"{args.export_dir}: {sum(kinds.values())} op nodes, {len(ops)} distinct ops: "
          + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    for op, (kind, count) in ops.items():
        if kind != "core":
            print(f"  {kind:8s} {op} ({count}x)")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("audit passed" if not problems else f"audit FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
