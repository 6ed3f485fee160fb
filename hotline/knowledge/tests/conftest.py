import pytest

from hotline.knowledge import search


@pytest.fixture(autouse=True)
def _fresh_index():
    # The search index is a per-process cache of the live entries; a rolled-back test's
    # entries must not be the next test's, even when their stamps happen to agree.
    search._built.clear()
    yield
    search._built.clear()
