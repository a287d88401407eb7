import pytest

from builder import secrets


@pytest.fixture(autouse=True)
def _clear_secrets():
    secrets.clear()
    yield
    secrets.clear()


@pytest.fixture(autouse=True)
def _private_ast_cache(tmp_path_factory, monkeypatch):
    """Tests never write to the user's ~/.cache."""
    monkeypatch.setenv("PYBUILD_HCL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "hcl-ast-cache"))
