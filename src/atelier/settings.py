"""The one settings object. No other module reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATELIER_", extra="ignore")

    data_dir: Path = Field(
        Path("atelier-data"), description="Database file, artifacts, keys, caches."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file in the data folder."
    )
    assets_dir: Path | None = Field(
        None, description="Assets built by `atelier prepare`; default: data folder/assets."
    )
    models_dir: Path | None = Field(
        None, description="Model folders you provide (e.g. diffusers pipelines)."
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    workers: int = Field(2, ge=0, le=64, description="In-process worker threads (0: none).")
    lease_seconds: float = Field(30.0, gt=0.5, le=3600, description="A claimed job's lease.")
    max_attempts: int = Field(
        3, ge=1, le=20, description="Claims before a job whose worker died fails."
    )
    poll_seconds: float = Field(
        0.5, gt=0, le=60, description="How often an idle worker looks for work."
    )
    engine_threads: int = Field(
        0, ge=0, le=256, description="Threads per model session (0: library default)."
    )
    engine_modules: list[str] = Field(
        default_factory=list, description="Extra Python modules that register engines."
    )
    text_model: Path | None = Field(
        None, description="A GGUF file for the text engines; default: the packaged Gemma 3 270M."
    )
    text_server_url: str | None = Field(
        None,
        description="An OpenAI-compatible server (e.g. http://host:8000/v1) to run the text "
        "engines on instead of llama.cpp in this process.",
    )
    text_server_model: str = Field(
        "", description="The model's name on that server; default: the first it lists."
    )
    text_server_key: str = Field("", description="The API key for that server, if it needs one.")
    text_context: int = Field(
        4096, ge=512, le=131072, description="Text model context window: prompt + output tokens."
    )

    admin_email: str = "admin@localhost"
    admin_password: str | None = None
    session_days: int = Field(14, ge=1, le=365)
    secure_cookies: bool = Field(False, description="Mark cookies Secure (serve over HTTPS).")
    signup_open: bool = Field(
        True, description="Anyone may make a creator account at /signup (false: admins only)."
    )

    max_upload_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    max_request_bytes: int = Field(
        51 * 1024 * 1024,
        ge=1024,
        description="Largest request body (413 before it is read): room for a page's form "
        "with two uploads (an image and its mask) at max_upload_bytes.",
    )
    max_upload_pixels: int = Field(40_000_000, ge=1024, description="Width × height of an upload.")
    music_check_seconds: float = Field(
        20.0,
        gt=0,
        le=600,
        description="Time an uploaded music file's reading may take (in a child process, "
        "stopped when it is spent: 422).",
    )

    key_passphrase: SecretStr | None = Field(
        None,
        description="Encrypts the signing keys at rest; default: a random one kept in "
        "data folder/key-passphrase (set this to keep keys and passphrase apart).",
    )
    signing_alg: Literal["es256", "ed25519"] = Field(
        "es256", description="Key type `atelier keys init` makes for the C2PA signer."
    )
    log_origin: str | None = Field(
        None, description="The transparency log's name in checkpoints; default: from the root."
    )
    watermark: bool = Field(True, description="Mark images with an invisible work id.")

    currency: str = Field(
        "EUR",
        pattern="^[A-Z]{3}$",
        description="ISO 4217 code of all prices, kept in its own minor units (EUR: cents; "
        "JPY: yen).",
    )
    payment_provider: Literal["manual", "stripe"] = Field(
        "manual", description="manual: bank transfer, an admin marks invoices paid; stripe."
    )
    payment_instructions: str = Field(
        "Ask the studio for its bank details.",
        max_length=1000,
        description="Shown on open invoices with the manual provider (IBAN, account name).",
    )
    invoice_issuer: str = Field(
        "Atelier", max_length=300, description="The seller's name and address on invoices."
    )
    stripe_secret_key: SecretStr = Field(SecretStr(""), description="Stripe API secret key.")
    stripe_webhook_secret: SecretStr = Field(
        SecretStr(""), description="The webhook endpoint's signing secret (whsec_…)."
    )
    stripe_api_base: str = Field(
        "https://api.stripe.com", description="Stripe's API address (a test double's in tests)."
    )

    market_commission_percent: int = Field(
        20, ge=0, le=100, description="The studio's share of each licence sale, in percent."
    )
    market_reservation_minutes: int = Field(
        30, ge=1, le=7 * 24 * 60, description="How long an unpaid exclusive order holds a work."
    )
    market_min_payout: int = Field(
        2000, ge=1, description="Smallest payout a creator may request (minor units)."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'atelier.db').resolve()}"

    @property
    def resolved_assets_dir(self) -> Path:
        return self.assets_dir or self.data_dir / "assets"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def scratch_dir(self) -> Path:
        return self.data_dir / "scratch"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
