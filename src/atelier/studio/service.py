"""The studio: builds the rooms' services once and holds them for the doors.

studio.jobs        the spine: submit, claim, heartbeat, finish, fail (spine.py)
studio.engines     the engines, by name and medium; estimates (catalogue.py)
studio.quotes      what a job would cost its caller, against their balance (quotes.py)
studio.uploads     files that parameters name (uploads.py)
studio.works       what jobs made: see, publish, change, delete, export (works.py)
studio.variants    a job's variants: keep one (variants.py)
studio.gallery     published works, search by meaning, creators (gallery.py)
studio.licences    licences as their holders and the public see them (licences.py)
studio.moderation  the admins' policy, reviews and audit log (moderation.py)
studio.status      the admins' system status (status.py)
studio.roster      the workers serving this studio and their engines (roster.py)
studio.evaluation  kept evaluation reports, comparisons as jobs, trends (evaluation.py)
studio.panels      expert panels: items, reviewers, invitations, votes, results (panels.py)
studio.feedback    users' thumbs up or down on works, tallied per engine (feedback.py)
studio.accounts    sign-up, sign-in, keys, users (accounts/access.py)
studio.webhooks    webhook endpoints, their delivery log, the event stream (webhooks.py)
studio.datasets    a client's collections: items, cleaned versions, cards (datasets.py)
studio.models      custom models: records, sharing, what jobs name by id (models.py)
studio.custom      custom models as a product: admins' quotes, paid by invoice (custom.py)
studio.choices     galleries of styles and instruments, with their samples (choices.py)
studio.commerce, studio.market, studio.provenance, studio.safety: the rooms' own
"""

from __future__ import annotations

from atelier.accounts.access import Accounts
from atelier.commerce.market import Market
from atelier.commerce.service import Commerce
from atelier.engines import registry
from atelier.engines.base import EngineConfig
from atelier.evaluate.job import CompareEngine
from atelier.provenance import Provenance
from atelier.safety.service import Safety
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore, LocalArtifactStore
from atelier.store.db import Database
from atelier.store.s3 import S3ArtifactStore
from atelier.studio.calibration import Calibration
from atelier.studio.catalogue import Catalogue
from atelier.studio.choices import Choices
from atelier.studio.custom import Custom, QuotedTraining
from atelier.studio.datasets import Datasets
from atelier.studio.evaluation import Evaluation
from atelier.studio.feedback import Feedback
from atelier.studio.gallery import Gallery
from atelier.studio.licences import Licences
from atelier.studio.live import LiveJobs
from atelier.studio.models import Models
from atelier.studio.moderation import Moderation
from atelier.studio.panels import Panels
from atelier.studio.personal_data import PersonalData
from atelier.studio.quotes import Quotes
from atelier.studio.roster import Roster
from atelier.studio.sealing import Sealing
from atelier.studio.spine import Spine
from atelier.studio.status import Status
from atelier.studio.uploads import Uploads
from atelier.studio.variants import Variants
from atelier.studio.warmup import WarmupBoard
from atelier.studio.webhooks import Webhooks
from atelier.studio.works import Works


class Studio:
    def __init__(self, settings: Settings, spine: type[Spine] = Spine) -> None:
        """`spine`: benchmarks pass a subclass that notes when each step returns."""
        self.settings = settings
        self.db = Database(settings.resolved_database_url)
        self.artifacts: ArtifactStore = (
            S3ArtifactStore(settings)
            if settings.artifact_store == "s3"
            else LocalArtifactStore(settings.artifacts_dir)
        )
        config = engine_config(settings)
        engines = registry.build(config, settings.engine_modules)
        # eval.compare runs the catalogue's own engines on its two sides.
        engines[CompareEngine.name] = CompareEngine(config, lambda name: self.engines.get(name))
        self.engines = Catalogue(engines, Calibration(self.db, settings.learn_speed))
        # The screen's models run on one thread each: a second OpenMP team (torch's) in a
        # process makes libgomp throttle every team's spinning (more threads than CPUs),
        # and llama.cpp's text model then sleeps at each of its hundreds of barriers a
        # token (600 context switches a token instead of 3: a third of its speed lost).
        self.safety = Safety(self.db, threads=1)
        self.provenance = Provenance(settings, self.db, audit=self.safety.audit_event)
        self.commerce = Commerce(self.db, settings)
        self.market = Market(
            self.db, settings, self.commerce.fulfilment, sign=self.provenance.sign_bytes
        )
        self.accounts = Accounts(settings, self.db)
        sealing = Sealing(self.artifacts, self.provenance, self.safety)
        self.live = LiveJobs()  # progress of the jobs running here, for event streams
        self.datasets = Datasets(settings, self.db, self.artifacts, self.safety)
        self.choices = Choices(settings, self.artifacts)
        self.models = Models(
            settings,
            self.db,
            self.artifacts,
            self.engines,
            self.datasets,
            self.commerce,
            self.choices,
        )
        self.roster = Roster(settings, self.db)
        self.jobs = spine(
            settings,
            self.db,
            self.artifacts,
            self.engines,
            self.safety,
            self.commerce,
            sealing,
            self.models,
            self.roster,
        )
        self.custom = Custom(self.db, self.engines, self.models, self.commerce)
        self.commerce.fulfilment.register("custom_model", QuotedTraining(self.jobs, self.engines))
        self.uploads = Uploads(settings, self.db, self.artifacts, self.provenance)
        self.quotes = Quotes(self.db, self.engines, self.commerce)
        self.works = Works(settings, self.db, self.artifacts, self.engines, self.commerce)
        self.variants = Variants(self.db, self.works)
        self.gallery = Gallery(self.db, self.engines)
        self.personal = PersonalData(settings, self.db, self.artifacts, self.works)
        self.licences = Licences(self.market, self.provenance, self.artifacts)
        self.moderation = Moderation(self.db, self.safety)
        self.status = Status(settings, self.db, self.artifacts, self.engines)
        self.warmups = WarmupBoard(settings.data_dir)  # models still loading on this machine
        self.evaluation = Evaluation(self.db, self.artifacts, self.engines, self.jobs)
        self.panels = Panels(settings, self.db, self.artifacts)
        self.feedback = Feedback(self.db, self.works)
        self.webhooks = Webhooks(settings, self.db)

    def migrate(self) -> None:
        """Bring the database's schema up to date (under the schema lock: store/db.py)."""
        self.db.migrate()

    def prepare(self, upgrade: bool = True) -> str | None:
        """Create folders, migrate the database (with `upgrade`; else only check that its
        schema is at head: `atelier worker`), make the signing keys if this is the
        studio's first node (else refuse: provenance/service.py), make the first admin.

        Returns the admin's generated password when one was made (print it once)."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.artifacts.prepare()
        self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        if upgrade:
            self.migrate()
        else:
            self.db.require_head()
        self.provenance.prepare()
        self.market.sign_pending()  # grants from before licences were signed when granted
        return self.accounts.ensure_admin()

    def database(self) -> str:
        """Where the database is, for a log line (its password hidden)."""
        return repr(self.db.engine.url)

    def close(self) -> None:
        self.db.dispose()


def engine_config(settings: Settings) -> EngineConfig:
    """What the engines may know of this installation, from the settings."""
    return EngineConfig(
        assets_dir=settings.resolved_assets_dir,
        models_dir=settings.models_dir,
        threads=settings.engine_threads,
        text_model=settings.text_model,
        text_server_url=settings.text_server_url or "",
        text_server_model=settings.text_server_model,
        text_server_key=settings.text_server_key,
        text_context=settings.text_context,
    )


def upgrade_schema(settings: Settings) -> str:
    """`atelier db upgrade`: the schema to head under the schema lock, without building a
    studio (no engines, no keys); returns where the database is, its password hidden."""
    db = Database(settings.resolved_database_url)
    try:
        db.migrate()
        return repr(db.engine.url)
    finally:
        db.dispose()
