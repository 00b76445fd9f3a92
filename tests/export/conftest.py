import pytest

from tests.export.helpers import build_serving_check


@pytest.fixture(scope="session")
def serving_check():
    """Path of the C++ serving check, built once per test session (skipped when up to date)."""
    return build_serving_check()
