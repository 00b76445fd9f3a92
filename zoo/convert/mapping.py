"""The strict tensor mapper shared by the converters: every source tensor is used (or deliberately ignored),
every target weight is set exactly once from a tensor of the right shape, and each error names the tensor.

`SourceTensors` and `TargetWeights` keep the books on either side; `Mapper` adds the Hugging Face (torch)
layouts on top (Linear weights are `(out, in)`, GPT-2's Conv1D weights `(in, out)`).
Nothing here knows a model class: it works on the variables of whatever model it is given.
"""

import re

import numpy as np


class ConversionError(ValueError):
    """A checkpoint does not fit the model it is converted into (missing, mis-shaped or unused tensors)."""


class SourceTensors:
    """Named numpy arrays from a checkpoint; remembers which ones were used.

    Args:
        tensors: dict name -> numpy array.
        source: description of where they come from (a file or directory), used in error messages.
        kind: what a tensor is called in messages ("HF tensor", "checkpoint variable").
    """

    def __init__(self, tensors, source, kind="tensor"):
        self.tensors = dict(tensors)
        self.source = source
        self.kind = kind
        self.used = set()

    def __contains__(self, name):
        return name in self.tensors

    def names(self):
        return sorted(self.tensors)

    def get(self, name, shape=None):
        """The array `name`, checked against `shape` (a tuple) when given; marks it used."""
        if name not in self.tensors:
            raise ConversionError(f"{self.source}: missing {self.kind} {name!r}")
        value = self.tensors[name]
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ConversionError(
                f"{self.source}: {self.kind} {name!r} has shape {tuple(value.shape)}, expected {tuple(shape)}"
            )
        self.used.add(name)
        return value

    def ignore(self, name):
        """Marks `name` as deliberately unused (a buffer or a duplicate of a tied weight)."""
        self.used.add(name)

    def check_all_used(self):
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            shown = ", ".join(repr(name) for name in unused[:10])
            more = f" and {len(unused) - 10} more" if len(unused) > 10 else ""
            raise ConversionError(
                f"{self.source}: {len(unused)} {self.kind}(s) not used by the conversion: {shown}{more}. "
                "They would be silently dropped; the checkpoint does not match the model built from its config"
            )


class TargetWeights:
    """The weights of a Keras model, each of which must be assigned exactly once.

    Call `assign(variable, value, source_name)`; `check_all_assigned()` at the end names the ones left out.
    """

    def __init__(self, model):
        self.model = model
        self.pending = {id(variable): variable for variable in model.weights}
        self.done = {}

    def assign(self, variable, value, source_name):
        key = id(variable)
        if key in self.done:
            raise ConversionError(
                f"weight {variable.path!r} assigned twice (from {self.done[key]!r} and {source_name!r})"
            )
        if key not in self.pending:
            raise ConversionError(f"weight {variable.path!r} does not belong to {self.model.name!r}")
        value = np.asarray(value)
        if tuple(value.shape) != tuple(variable.shape):
            raise ConversionError(
                f"{source_name!r} gives shape {tuple(value.shape)} for weight {variable.path!r}, "
                f"expected {tuple(variable.shape)}"
            )
        variable.assign(value.astype(variable.dtype))
        self.done[key] = source_name
        del self.pending[key]

    def check_all_assigned(self):
        if self.pending:
            paths = sorted(variable.path for variable in self.pending.values())
            raise ConversionError(
                f"{len(paths)} weight(s) of {self.model.name!r} were not set by the conversion: {paths}"
            )


class Mapper:
    """Copies Hugging Face tensors into the weights of `model`, checking names and shapes on both sides.

    Args:
        tensors: a `SourceTensors`.
        model: the Keras model (backbone or task model) whose every weight must be set.
    """

    def __init__(self, tensors, model):
        self.tensors = tensors
        self.target = TargetWeights(model)

    def dense(self, layer, prefix, bias=True, conv1d=False):
        """A torch Linear (`weight` (out, in), transposed) or GPT-2 Conv1D (`weight` (in, out)) into a Dense."""
        shape = tuple(layer.kernel.shape)
        weight = self.tensors.get(prefix + ".weight", shape if conv1d else shape[::-1])
        self.target.assign(layer.kernel, weight if conv1d else weight.T, prefix + ".weight")
        if bias:
            self.copy(layer.bias, prefix + ".bias")

    def layer_norm(self, layer, prefix):
        self.copy(layer.gamma, prefix + ".weight")
        self.copy(layer.beta, prefix + ".bias")

    def copy(self, variable, name):
        self.target.assign(variable, self.tensors.get(name, tuple(variable.shape)), name)

    def same_as(self, name, reference, why):
        """`name`, when present, must equal the already-used `reference` tensor (a tied duplicate)."""
        if name not in self.tensors:
            return
        value = self.tensors.get(name)
        if value.shape != self.tensors.tensors[reference].shape or not np.array_equal(
            value, self.tensors.tensors[reference]
        ):
            raise ConversionError(
                f"{self.tensors.source}: {self.tensors.kind} {name!r} differs from {reference!r}, but {why}"
            )

    def ignore_matching(self, pattern):
        """Marks every tensor whose whole name matches the regular expression `pattern` as deliberately unused."""
        for name in self.tensors.names():
            if re.fullmatch(pattern, name):
                self.tensors.ignore(name)

    def finish(self):
        self.target.check_all_assigned()
        self.tensors.check_all_used()


def find_prefix(tensors, candidates, probe):
    """The first of `candidates` (name prefixes such as "bert." or "") under which `probe` is a tensor."""
    for prefix in candidates:
        if prefix + probe in tensors:
            return prefix
    raise ConversionError(
        f"{tensors.source}: missing {tensors.kind} {candidates[0] + probe!r} (also looked for "
        f"{[p + probe for p in candidates[1:]]})"
    )
