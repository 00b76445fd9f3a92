"""Label vocabularies: map label names (or integer ids) to ids, with clear errors for unknown labels."""

from zoo.data.errors import DataError, quote


class LabelSet:
    """An ordered set of label names; a label's id is its position.

    Args:
        names: the label names, in id order; must be unique non-empty strings.

    Example:
    ```python
    labels = LabelSet(["negative", "positive"])
    labels.id_of("positive", path="train.tsv", line=3, field="label")  # 1
    labels.id_of("1", path="train.tsv", line=3, field="label")  # 1
    ```
    """

    def __init__(self, names):
        names = [names] if isinstance(names, str) else list(names)
        if not names:
            raise ValueError("label_names must hold at least one label")
        for name in names:
            if not isinstance(name, str) or not name:
                raise ValueError(f"label_names must be non-empty strings, got {name!r}")
        if len(set(names)) != len(names):
            duplicates = sorted({name for name in names if names.count(name) > 1})
            raise ValueError(f"label_names must be unique, got duplicates {duplicates}")
        self.names = names
        self._ids = {name: index for index, name in enumerate(names)}

    def __len__(self):
        return len(self.names)

    def __contains__(self, name):
        return name in self._ids

    def _expected(self, allow_ids):
        shown = self.names if len(self.names) <= 20 else self.names[:20] + ["..."]
        text = f"one of {shown}"
        if allow_ids:
            text += f" or an integer id in [0, {len(self.names)})"
        return text

    def id_of(self, label, path, line=None, record=None, field=None, allow_ids=True):
        """The id of `label` (a name, or with `allow_ids` an integer string); DataError otherwise."""
        if label in self._ids:
            return self._ids[label]
        if allow_ids:
            value = parse_int(label)
            if value is not None and 0 <= value < len(self.names):
                return value
        raise DataError(path, self._expected(allow_ids), quote(label), line=line, record=record, field=field)


def parse_int(text):
    """The integer written in `text` (surrounding spaces allowed), or None."""
    text = text.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if digits.isascii() and digits.isdigit():
        return int(text)
    return None
