"""Locates the project's recipe configs (`recipes/`) and task cards/sample data (`tasks/`).

In a checkout they sit beside the package; after `pip install .` they are shipped inside it as
`zoo/_data/{recipes,tasks}` (symbolic links in the checkout, real files in the wheel).
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(*parts):
    """Returns the path of `recipes/...` or `tasks/...`, from a checkout or an installed package.

    Raises FileNotFoundError naming every place looked in.
    """
    candidates = [_PACKAGE_DIR.parent.joinpath(*parts), _PACKAGE_DIR.joinpath("_data", *parts)]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"{'/'.join(parts)} not found; looked in: " + ", ".join(str(c) for c in candidates)
    )
