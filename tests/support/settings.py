"""Settings for a studio in a test's temp folder, on its local folder or an S3 bucket."""

from __future__ import annotations

import uuid
from pathlib import Path

from atelier.settings import RATE_LIMITED, Settings
from atelier.store.s3 import S3ArtifactStore

ROOT = Path(__file__).resolve().parent.parent.parent
# Engine assets that `make setup` prepares (`atelier prepare`) for `make run` and the tests.
ASSETS = ROOT / "atelier-data" / "assets"


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "assets_dir": ASSETS,
        "database_url": database_url,
        "workers": 0,
        # In the test process (tests.support.engines is registered here, a TestClient's app can
        # run its jobs): test_worker_processes and the tests that start `atelier serve`
        # run the default, worker processes.
        "worker_mode": "threads",
        "admin_password": "admin password 1",
        "lease_seconds": 5.0,
        "poll_seconds": 0.05,
        "engine_threads": 1,
        "warm_start": False,  # tests/test_warm_start.py warms; the others load on first use
        # Estimates as the engines' rates say: a test's jobs are not the machine's speed
        # (tests/test_calibration.py learns).
        "learn_speed": False,
        # Tests sign in and submit far faster than people do; test_limits tests the limits.
        **{f"limit_{action}": "10000/minute" for action in RATE_LIMITED},
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def s3_settings(tmp_path: Path, endpoint: str, **overrides: object) -> Settings:
    """Settings for a studio whose artifacts are in a fresh bucket of `endpoint`."""
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    values: dict[str, object] = {
        "artifact_store": "s3",
        "s3_bucket": bucket,
        "s3_prefix": "atelier/",
        "s3_endpoint_url": endpoint,
        "s3_access_key_id": "test",
        "s3_secret_access_key": "test",
        **overrides,
    }
    settings = make_settings(tmp_path, **values)
    S3ArtifactStore(settings).client.create_bucket(Bucket=bucket)
    return settings
