"""Input checks shared by the metric modules: plain lists out of lists/tuples/NumPy arrays, equal lengths."""

import numpy as np


def as_list(values, name):
    """`values` (a list, tuple or 1-D NumPy array) as a Python list of plain Python scalars."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {values.shape}")
        return values.tolist()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ValueError(f"{name} must be a list, tuple or 1-D array, got {type(values).__name__}")
    return [value.item() if isinstance(value, np.generic) else value for value in values]


def paired_lists(references, predictions):
    """Both sequences as lists, checked to be non-empty and of the same length."""
    references = as_list(references, "references")
    predictions = as_list(predictions, "predictions")
    if len(references) != len(predictions):
        raise ValueError(f"references has {len(references)} items but predictions has {len(predictions)}")
    if not references:
        raise ValueError("references and predictions are empty: there is nothing to score")
    return references, predictions
