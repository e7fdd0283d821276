"""Custom models: what training jobs make, owned by the client, shared with named users.

A model record holds its dataset version, base, config, metrics, weights (a content-
addressed artifact) and its lineage cards (training/lineage.py): the model, its dataset,
its base. Engines take a model by id in a parameter (music `model`, image `style` and
`lora`, text `voice`); the spine asks this service, in its own transactions, to check
that the caller may use what a job names (`check`), to stage the files a worker needs
(`stage`: weights, a dataset version, the job's checkpoint folder), to name the models a
work drew on (`lineage`), and to record what a training job made (`keep`, `record`)."""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce.service import Commerce
from atelier.datasets.records import DatasetVersion
from atelier.engines.base import Creation, Engine
from atelier.engines.custom import is_id
from atelier.errors import Conflict, Forbidden, Invalid, NotFound
from atelier.settings import Settings
from atelier.store import paging
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import Job, User, new_id
from atelier.store.paging import After
from atelier.studio.catalogue import Catalogue, dataset_fields, model_fields
from atelier.studio.choices import Choices
from atelier.studio.datasets import Datasets
from atelier.training import lineage
from atelier.training.engines import CHECKPOINTS, Trainer, read_curve
from atelier.training.records import CustomModel, ModelShare


@dataclass(frozen=True)
class Kept:
    """A training job's weights, stored before the transaction that records the model."""

    sha256: str
    name: str
    size: int


def usable(s: Session, user_id: str, model_id: str) -> CustomModel | None:
    """The model if its owner is `user_id` or its owner shared it with them."""
    model = s.get(CustomModel, model_id)
    if model is None:
        return None
    if model.owner_id == user_id or any(share.user_id == user_id for share in model.shares):
        return model
    return None


class Models:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        artifacts: ArtifactStore,
        engines: Catalogue,
        datasets: Datasets,
        commerce: Commerce,
        choices: Choices,
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.engines = engines
        self.datasets = datasets
        self.commerce = commerce
        self.choices = choices

    # -- the spine's steps --------------------------------------------------------------

    def check(self, s: Session, owner_id: str, engine: Engine, params: dict[str, Any]) -> None:
        """Every model a job names is usable by its owner and of a kind the parameter
        takes; every dataset version is the owner's and of the engine's medium."""
        for name, kinds in model_fields(engine).items():
            value = params.get(name)
            if not is_id(value):
                continue
            model = usable(s, owner_id, value)
            if model is None:
                raise NotFound(
                    "no model %(value)s", field=f"params.{name}", params={"value": value}
                )
            if model.kind not in kinds:
                raise Invalid(
                    "model %(value)s is a %(kind)s model; %(name)s takes %(kinds)s",
                    params={
                        "value": value,
                        "kind": model.kind,
                        "name": name,
                        "kinds": " or ".join(kinds),
                    },
                    field=f"params.{name}",
                )
            if model.kind == "lora" and params.get("model") != model.base:
                raise Invalid(
                    "these LoRA adapters were trained on %(base)s; set model to it",
                    field="params.model",
                    params={"base": model.base},
                )
        for name, medium in dataset_fields(engine).items():
            version = s.get(DatasetVersion, params.get(name))
            if version is None or version.dataset.owner_id != owner_id:
                raise NotFound(
                    "no dataset version %(version)s",
                    field=f"params.{name}",
                    params={"version": params.get(name)},
                )
            if version.dataset.medium != medium:
                raise Invalid(
                    "dataset version %(id)s holds %(medium)s; %(name)s trains on %(medium2)s",
                    field=f"params.{name}",
                    params={
                        "id": version.id,
                        "medium": version.dataset.medium,
                        "name": engine.name,
                        "medium2": medium,
                    },
                )

    def check_submit(
        self, s: Session, who: Principal, engine: Engine, params: dict[str, Any]
    ) -> None:
        """`check`, and a self-serve training job needs a plan with custom models."""
        self.check(s, who.user_id, engine, params)
        if isinstance(engine, Trainer):
            self.commerce.check_training(s, who)

    def stage(self, engine: Engine, job_id: str, params: dict[str, Any]) -> dict[str, Path]:
        """Local files for a claimed job, by the ids its parameters name (as ctx.file
        finds them): models' weights, dataset versions, and for a training job its
        checkpoint folder (CHECKPOINTS), which outlives the job's attempts."""
        files: dict[str, Path] = {}
        named = [params.get(name) for name in model_fields(engine)]
        if any(is_id(value) for value in named):  # no transaction for most jobs
            with self.db.transaction() as s:
                for value in filter(is_id, named):
                    model = s.get(CustomModel, value)
                    if model is not None:
                        files[str(value)] = self.artifacts.staged(model.weights_sha256)
        for name in dataset_fields(engine):
            files[params[name]] = self.datasets.stage(params[name])
        if isinstance(engine, Trainer):
            folder = self.checkpoints(job_id)
            folder.mkdir(parents=True, exist_ok=True)
            files[CHECKPOINTS] = folder
        return files

    def checkpoints(self, job_id: str) -> Path:
        return self.settings.data_dir / "checkpoints" / job_id

    def release(self, job_id: str) -> None:
        """A finished, failed or cancelled job's checkpoint folder goes."""
        shutil.rmtree(self.checkpoints(job_id), ignore_errors=True)

    def lineage(self, s: Session, engine: Engine, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The cards of the clients' models a job drew on (each with its data and base):
        every work made with a model carries them."""
        cards: list[dict[str, Any]] = []
        for name in model_fields(engine):
            value = params.get(name)
            model = s.get(CustomModel, value) if is_id(value) else None
            if model is not None:
                cards += model.lineage
        return cards

    def keep(self, creations: list[Creation]) -> Kept:
        """The weights a training job returned, into the artifact store; a house style's
        swatch is painted now, for the create forms' galleries."""
        if len(creations) != 1 or len(creations[0].files) != 1:
            raise ValueError("a training engine returns one creation with one file")
        weights = creations[0].files[0]
        kept = Kept(self.artifacts.put(weights.data), weights.name, len(weights.data))
        if creations[0].meta.get("kind") == "style":
            self.choices.house_style(kept.sha256)
        return kept

    def record(self, s: Session, job: Job, creation: Creation, kept: Kept) -> CustomModel:
        """The model a training job made, with its lineage (its base's cards, the rights
        of its dataset's items), in the spine's transaction."""
        engine = self.engines.get(job.engine)
        version_id = next(job.params[name] for name in dataset_fields(engine))
        version = s.get(DatasetVersion, version_id)
        if version is None:
            raise NotFound(
                "dataset version %(version_id)s was deleted",
                field="dataset",
                params={"version_id": version_id},
            )
        meta = creation.meta
        model_id = new_id()
        cards = lineage.cards(
            str(job.params["name"]),
            f"model {model_id}",
            version.dataset.name,
            version.manifest_sha256,
            tuple(creation.models or ()),
            version.card["rights"],
        )
        metrics = dict(meta["metrics"])
        metrics["curve"] = read_curve(self.checkpoints(job.id))
        model = CustomModel(
            id=model_id,
            owner_id=job.owner_id,
            job_id=job.id,
            name=str(job.params["name"]),
            kind=meta["kind"],
            medium=engine.medium,
            engine=engine.name,
            base=str(meta["base"]),
            dataset_version_id=version.id,
            dataset_name=version.dataset.name,
            manifest_sha256=version.manifest_sha256,
            config=meta["config"],
            metrics=metrics,
            weights_sha256=kept.sha256,
            weights_name=kept.name,
            weights_size=kept.size,
            lineage=[asdict(card) for card in cards],
            commercial_use=cards[0].commercial_use,
        )
        s.add(model)
        return model

    # -- an owner's (and those it is shared with) -------------------------------------------

    def mine(
        self, who: Principal, limit: int = 200, after: After | None = None
    ) -> list[CustomModel]:
        """The caller's models and those shared with them, newest first, from past `after`."""
        shared = select(ModelShare.model_id).where(ModelShare.user_id == who.user_id)
        query = select(CustomModel).where(
            or_(CustomModel.owner_id == who.user_id, CustomModel.id.in_(shared))
        )
        with self.db.transaction() as s:
            return list(
                s.scalars(
                    paging.page(query, CustomModel.created_at, CustomModel.id, limit, after=after)
                )
            )

    def get(self, who: Principal, model_id: str) -> CustomModel:
        """A model its owner or a user it is shared with may see; NotFound for others."""
        with self.db.transaction() as s:
            model = usable(s, who.user_id, model_id)
            if model is None:
                raise NotFound(
                    "no model %(model_id)s", field="model_id", params={"model_id": model_id}
                )
            return model

    def of_job(self, who: Principal, job_id: str) -> CustomModel | None:
        with self.db.transaction() as s:
            authz.owned(s, Job, who, job_id)
            return s.scalar(select(CustomModel).where(CustomModel.job_id == job_id))

    def _owned(self, s: Session, who: Principal, model_id: str) -> CustomModel:
        """The model for a change its owner alone may make: 403 for a user it is shared
        with, 404 for anyone else."""
        authz.require_scope(who, "write")
        model = usable(s, who.user_id, model_id)
        if model is None:
            raise NotFound("no model %(model_id)s", field="model_id", params={"model_id": model_id})
        if model.owner_id != who.user_id:
            raise Forbidden("only the model's owner may change, share or delete it")
        return model

    def rename(self, who: Principal, model_id: str, name: str) -> CustomModel:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise Invalid("name must be 1 to 100 characters", field="name")
        with self.db.transaction() as s:
            model = self._owned(s, who, model_id)
            model.name = name
            return model

    def delete(self, who: Principal, model_id: str) -> None:
        """The record goes (works made with it keep their lineage); jobs already queued
        with it fail when they find it gone."""
        with self.db.transaction() as s:
            s.delete(self._owned(s, who, model_id))

    def share(self, who: Principal, model_id: str, email: str) -> CustomModel:
        with self.db.transaction() as s:
            model = self._owned(s, who, model_id)
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise NotFound("no user %(email)s", field="email", params={"email": email})
            if user.id == model.owner_id:
                raise Conflict("the model is yours already", field="email")
            if not any(share.user_id == user.id for share in model.shares):
                model.shares.append(ModelShare(user_id=user.id))
            s.flush()
            return model

    def unshare(self, who: Principal, model_id: str, user_id: str) -> CustomModel:
        with self.db.transaction() as s:
            model = self._owned(s, who, model_id)
            model.shares = [share for share in model.shares if share.user_id != user_id]
            s.flush()
            return model

    def shared_with(self, who: Principal, model_id: str) -> list[tuple[str, str]]:
        """(user id, e-mail) of each user the owner shared the model with."""
        with self.db.transaction() as s:
            model = self._owned(s, who, model_id)
            ids = [share.user_id for share in model.shares]
            rows = s.execute(select(User.id, User.email).where(User.id.in_(ids))).tuples()
            return sorted(rows, key=lambda row: row[1])

    def weights(self, who: Principal, model_id: str) -> tuple[CustomModel, Path]:
        """The weights file, for its owner only (a user it is shared with uses it here)."""
        with self.db.transaction() as s:
            model = self._owned_read(s, who, model_id)
        return model, self.artifacts.staged(model.weights_sha256)

    @staticmethod
    def _owned_read(s: Session, who: Principal, model_id: str) -> CustomModel:
        model = usable(s, who.user_id, model_id)
        if model is None:
            raise NotFound("no model %(model_id)s", field="model_id", params={"model_id": model_id})
        if model.owner_id != who.user_id:
            raise Forbidden("only the model's owner may download its weights")
        return model

    def uses(self, kind: str) -> list[tuple[str, str]]:
        """(engine, parameter) pairs that take a model of this kind."""
        return [
            (engine.name, name)
            for engine in self.engines.all()
            for name, kinds in model_fields(engine).items()
            if kind in kinds
        ]

    def progress(self, who: Principal, job_id: str) -> dict[str, Any]:
        """A training job's curve: live from its checkpoint folder while it runs, then
        from its model's record."""
        with self.db.transaction() as s:
            job = authz.owned(s, Job, who, job_id)
            model = s.scalar(select(CustomModel).where(CustomModel.job_id == job_id))
            status = job.status
        curve = read_curve(self.checkpoints(job_id))
        if curve is None and model is not None:
            curve = model.metrics.get("curve")
        return {
            "job_id": job_id,
            "status": status,
            "model_id": None if model is None else model.id,
            "curve": curve or {"steps": 0, "series": {}},
        }
