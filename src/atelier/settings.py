"""The one settings object. No other module reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

RATE_LIMITED = (
    "sign_in",
    "sign_up",
    "password",
    "keys",
    "uploads",
    "jobs",
    "verify",
    "votes",
)


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
    artifact_store: Literal["local", "s3"] = Field(
        "local",
        description="Where works' and uploads' bytes are kept: local, content-addressed files in "
        "the data folder; s3, a bucket of an S3-compatible object store (the s3_* settings).",
    )
    s3_bucket: str = Field("", description="The bucket (it must exist) with artifact_store=s3.")
    s3_prefix: str = Field(
        "", description="Keys start with this (e.g. atelier/), so a bucket can be shared."
    )
    s3_endpoint_url: str | None = Field(
        None,
        description="The object store's address (MinIO, Garage, Ceph…); default: AWS S3.",
    )
    s3_region: str = Field("us-east-1", description="The bucket's region (signatures name it).")
    s3_access_key_id: str = Field(
        "", description="Access key; empty: boto3's own chain (AWS_* variables, instance role)."
    )
    s3_secret_access_key: SecretStr = Field(SecretStr(""), description="Its secret key.")
    s3_cache_bytes: int = Field(
        2 * 1024**3,
        ge=1024 * 1024,
        description="Most bytes kept in the local cache of the bucket (data folder/s3-cache) "
        "from which engines read their inputs; least recently used files go first.",
    )
    s3_downloads: Literal["proxy", "redirect"] = Field(
        "proxy",
        description="proxy: the server sends a work's file from its cache of the bucket; "
        "redirect: to a short-lived presigned URL of the bucket (the object store must be "
        "reachable by the people downloading).",
    )
    s3_url_seconds: int = Field(
        300, ge=10, le=7 * 86400, description="How long a presigned download URL works."
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    workers: int = Field(
        2,
        ge=0,
        le=64,
        description="Worker processes `atelier serve` starts and keeps running (0: none; run "
        "`atelier worker` instead); with worker_mode=threads, worker threads in the server.",
    )
    worker_mode: Literal["processes", "threads"] = Field(
        "processes",
        description="processes: engines run in worker processes the server supervises, so a "
        "long job never slows pages and the API; threads: in the server process itself "
        "(tests, or the studio embedded in another program).",
    )
    worker_threads: int = Field(
        1, ge=1, le=64, description="Jobs each worker process runs at once (its threads)."
    )
    worker_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="How much lower the worker processes' CPU priority is (os.nice), so the "
        "server answers first when engines use every core.",
    )
    warm_start: bool = Field(
        True,
        description="Load the models at start-up, in the background: each worker its "
        "engines' (before its first job), the server its prompt screen's.",
    )
    learn_speed: bool = Field(
        True,
        description="Estimates learn this machine's speed from its own finished jobs (each "
        "engine's estimate times the median of its newest jobs' charged ÷ estimated "
        "seconds); false: the engines' rates as fitted, prices that never move.",
    )
    lease_seconds: float = Field(30.0, gt=0.5, le=3600, description="A claimed job's lease.")
    max_attempts: int = Field(
        3, ge=1, le=20, description="Claims before a job whose worker died fails."
    )
    ray_address: str | None = Field(
        None,
        description="A Ray cluster's address (its head's host:port, or auto): `atelier worker` "
        "then runs the engines as Ray tasks, each on a node that has what the engine needs "
        "(the optional atelier[ray] extra; docs/operations.md).",
    )
    ray_needs: dict[str, dict[Literal["cpus", "gpus", "memory_mb"], float]] = Field(
        default_factory=dict,
        description="What an engine's job takes of a Ray node, overriding what the engine "
        'declares, e.g. {"image.diffusion": {"gpus": 0, "memory_mb": 12000}}.',
    )
    poll_seconds: float = Field(
        0.5, gt=0, le=60, description="How often an idle worker looks for work."
    )
    worker_seen_seconds: float = Field(
        60.0,
        gt=0,
        le=86400,
        description="Submit accepts a job for an engine the server cannot run itself while "
        "a worker serving it (`atelier worker --engines`) was seen this recently; otherwise "
        "it refuses (503) naming the engine.",
    )
    engine_threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Threads per model session (0: library default); the music engines, "
        "settled as one core, always use one.",
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
    inception_weights: Path | None = Field(
        None,
        description="The Inception-v3 weights of published FID/KID/IS "
        "(pt_inception-2015-12-05-6726825d.pth, as pytorch-fid and torch-fidelity use) for "
        "`atelier eval image`; without it the offline StyleNet features are used, labelled.",
    )

    admin_email: str = "admin@localhost"
    admin_password: str | None = None
    session_days: int = Field(14, ge=1, le=365)
    secure_cookies: bool = Field(False, description="Mark cookies Secure (serve over HTTPS).")
    signup_open: bool = Field(
        True, description="Anyone may make a creator account at /signup (false: admins only)."
    )

    # Sign-in protection. Limits are written as the `limits` library reads them: "10/minute",
    # several joined by ";" ("10/minute;100/hour"); each is counted per address and per account.
    rate_limit_storage: str = Field(
        "memory://",
        description="Where rate-limit counts are kept: memory:// counts in this process only; "
        "with several server processes give them a shared store, e.g. redis://host:6379.",
    )
    limit_sign_in: str = Field(
        "10/minute;100/hour", description="Sign-in attempts per address and per e-mail."
    )
    limit_sign_up: str = Field("5/hour", description="Sign-ups per address and per e-mail.")
    limit_password: str = Field(
        "5/minute;20/hour", description="Password changes, resets and reset requests."
    )
    limit_keys: str = Field("20/hour", description="New API keys per address and per user.")
    limit_uploads: str = Field("60/minute", description="Uploads per address and per user.")
    limit_jobs: str = Field("60/minute", description="Submitted jobs per address and per user.")
    limit_verify: str = Field(
        "30/minute;300/hour", description="Public verifications per address (and user)."
    )
    limit_votes: str = Field(
        "120/minute", description="Panel votes and feedback on works, per address and user."
    )
    lockout_failures: int = Field(
        10, ge=1, le=1000, description="Failed sign-ins in a row that lock an account."
    )
    lockout_seconds: int = Field(
        900, ge=1, le=7 * 86400, description="How long a locked account refuses sign-ins."
    )
    password_min_score: int = Field(
        3,
        ge=0,
        le=4,
        description="Least zxcvbn strength of a new password (0 anything … 4 very strong).",
    )
    password_reset_minutes: int = Field(
        60, ge=5, le=7 * 24 * 60, description="How long a password reset link works."
    )
    mail_hook: str | None = Field(
        None,
        description="Delivers mail (password reset links): an http(s) URL that receives a "
        'JSON POST {"to", "subject", "text"}, or a command that reads the same JSON on its '
        "standard input. Unset: admins hand out reset links.",
    )
    public_url: str | None = Field(
        None,
        description="The studio's address as people reach it, for links in mail and on the "
        "command line; default: http://HOST:PORT.",
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

    keys_dir: Path | None = Field(
        None,
        description="The studio's signing identity (root, signing and log keys); default: "
        "data folder/keys. Every node of one studio needs the same (`atelier keys export`, "
        "`atelier keys import`).",
    )
    keys_bundle: SecretStr | None = Field(
        None,
        description="The identity itself, as `atelier keys export` writes it (e.g. from a "
        "secret store): a node with no keys in keys_dir installs it there when it starts.",
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
    watermark: bool = Field(
        True, description="Mark images and music previews with an invisible work id."
    )

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

    webhook_dispatch: bool = Field(
        True,
        description="Send webhooks from this process (`atelier serve`, `atelier worker`); "
        "any number of processes may, each delivery is sent by one at a time.",
    )
    webhook_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="How often an idle dispatcher looks for due webhooks."
    )
    webhook_max_attempts: int = Field(
        8, ge=1, le=30, description="Tries of one webhook delivery before it is marked failed."
    )
    webhook_retry_seconds: float = Field(
        30.0,
        gt=0,
        le=86400,
        description="The pause after a webhook's first failed try; each later one doubles, "
        "up to webhook_retry_max_seconds.",
    )
    webhook_retry_max_seconds: float = Field(
        6 * 3600.0, gt=0, le=7 * 86400, description="The longest pause between two tries."
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long a webhook endpoint has to answer."
    )
    events_keep_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days an account's events (the outbox behind webhooks and /v1/events) and "
        "their delivery log are kept once every delivery of them is finished; older ones are "
        "deleted (`atelier admin prune-events`, and hourly by a server or worker).",
    )
    events_prune_seconds: float = Field(
        3600.0,
        gt=0,
        le=7 * 86400,
        description="How often a webhook dispatcher deletes events older than events_keep_days.",
    )
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhook endpoints on loopback, private and link-local addresses "
        "(refused by default, so an account cannot make the studio call its own network).",
    )

    @field_validator(*(f"limit_{a}" for a in RATE_LIMITED))
    @classmethod
    def _limits(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit such as '10/minute;100/hour'"
            ) from None
        return value

    @model_validator(mode="after")
    def _store(self) -> Settings:
        if self.artifact_store == "s3" and not self.s3_bucket:
            raise ValueError("ATELIER_S3_BUCKET must name a bucket when ATELIER_ARTIFACT_STORE=s3")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'atelier.db').resolve()}"

    @property
    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def resolved_assets_dir(self) -> Path:
        return self.assets_dir or self.data_dir / "assets"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"

    @property
    def s3_cache_dir(self) -> Path:
        return self.data_dir / "s3-cache"

    @property
    def scratch_dir(self) -> Path:
        return self.data_dir / "scratch"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
