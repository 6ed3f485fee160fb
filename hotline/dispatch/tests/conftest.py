import pytest

from hotline.dispatch import store


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    """Each test writes its models to its own directory and starts with an empty cache."""
    settings.DISPATCH = {"MODEL_DIR": str(tmp_path / "models")}
    store.clear_cache()
    yield tmp_path / "models"
    store.clear_cache()
