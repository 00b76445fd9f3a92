"""Bookkeeping shared by the converters: source tensors taken at most once, target weights set exactly once."""

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
