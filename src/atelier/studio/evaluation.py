"""Kept evaluation reports: comparisons (`atelier eval compare`, or started by an admin
as an eval.compare job) and image-set metrics (`atelier eval image`), each a zip in the
artifact store with a row saying what was compared, by whom, when, and its summary
numbers; and the trend of a metric over time per engine and setting.

A comparison started here is a job on the spine; its row exists from the submit and takes
the job's report (the work's report.zip) when someone next looks, so nothing has to hook
into the spine's finishing."""

from __future__ import annotations

import io
import json
import mimetypes
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.errors import Invalid, NotFound
from atelier.evaluate import compare, report, trends
from atelier.evaluate.job import REPORT_FILE, CompareEngine, CompareParams
from atelier.evaluate.models import REPORT_KINDS, EvalReport
from atelier.store import paging
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import Job, User, utcnow
from atelier.studio.catalogue import Catalogue, params_schema, upload_fields, validated
from atelier.studio.spine import Spine

PAGE = 100
ORIGINS = ("page", "api", "cli")


@dataclass(frozen=True)
class Kept:
    """A report as listed: its row, who made it, and its job's state while it runs."""

    report: EvalReport
    by: str | None  # the e-mail of who made it (None: the command line)
    status: str  # queued | running | succeeded | failed | canceled
    progress: float
    error: str | None


def compare_summary(made: dict[str, Any]) -> dict[str, Any]:
    """Per metric of a comparison: each side's mean and interval, and B − A."""
    return {
        name: {
            "title": entry["title"],
            "higher_is_better": entry["higher_is_better"],
            "a": entry["a"]["mean"],
            "a_ci": entry["a"]["ci"],
            "b": entry["b"]["mean"],
            "b_ci": entry["b"]["ci"],
            "difference": entry["difference"]["mean"],
        }
        for name, entry in made["metrics"].items()
        if entry["units"]
    }


def image_summary(made: dict[str, Any]) -> dict[str, Any]:
    """The set metrics of B against A, keyed with their features ("fid@stylenet"): numbers
    on different features are never one series."""
    features = made["features"]["name"]
    values = {
        "fid": (made["fid"], False),
        "kid": (made["kid"]["mean"], False),
        "precision": (made["precision"], True),
        "recall": (made["recall"], True),
    }
    return {
        f"{name}@{features}": {
            "title": made["names"][name],
            "higher_is_better": better,
            "b": value,
        }
        for name, (value, better) in values.items()
    }


class Evaluation:
    def __init__(
        self, db: Database, artifacts: ArtifactStore, engines: Catalogue, jobs: Spine
    ) -> None:
        self.db = db
        self.artifacts = artifacts
        self.engines = engines
        self.jobs = jobs

    # -- keeping ---------------------------------------------------------------------------

    def keep_comparison(
        self, folder: Path, by: Principal | None, origin: str = "cli"
    ) -> EvalReport:
        """Keep a comparison report folder (report.json and its files) as it is."""
        made = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        return self._keep(
            "compare",
            report.archive(folder),
            made,
            f"{made['engine']}: {made['a']['label']} against {made['b']['label']}",
            made["engine"],
            (made["a"]["label"], made["b"]["label"]),
            compare_summary(made),
            by,
            origin,
        )

    def keep_image_sets(
        self, made: dict[str, Any], a: str, b: str, by: Principal | None, origin: str = "cli"
    ) -> EvalReport:
        """Keep an `eval image` report: B (the judged set) against A (the reference)."""
        files = {
            "report.json": json.dumps(made, indent=2).encode(),
            "index.html": report.sets_page(made, a, b).encode(),
            "report.css": report.STYLE.lstrip().encode(),
        }
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
            for name, data in files.items():
                packed.writestr(zipfile.ZipInfo(name, (2000, 1, 1, 0, 0, 0)), data)
        title = f"image sets: {b} against {a} ({made['features']['name']})"
        return self._keep(
            "image", out.getvalue(), made, title, None, (a, b), image_summary(made), by, origin
        )

    def _keep(
        self,
        kind: str,
        packed: bytes,
        made: dict[str, Any],
        title: str,
        engine: str | None,
        labels: tuple[str, str],
        summary: dict[str, Any],
        by: Principal | None,
        origin: str,
    ) -> EvalReport:
        spec = {key: made[key] for key in ("a", "b", "seeds", "items", "images") if key in made}
        now = utcnow()
        with self.db.transaction() as s:
            row = EvalReport(
                kind=kind,
                title=title[:300],
                engine=engine,
                label_a=labels[0][:100],
                label_b=labels[1][:100],
                spec=spec,
                summary=summary,
                origin=origin,
                created_by=by.user_id if by else None,
                sha256=self.artifacts.put(packed),
                created_at=now,
                finished_at=now,
            )
            s.add(row)
        return row

    def start_comparison(
        self,
        who: Principal,
        a: dict[str, Any],
        b: dict[str, Any],
        items: list[dict[str, Any]] | None = None,
        seeds: list[int] | None = None,
        origin: str = "page",
    ) -> EvalReport:
        """Submit an eval.compare job for admins; the report row follows it."""
        authz.require_admin(who, "write")
        if origin not in ORIGINS:
            raise Invalid(
                "origin is one of %(choices)s",
                field="origin",
                params={"choices": ", ".join(ORIGINS)},
            )
        params = {"a": a, "b": b, "items": items, "seeds": seeds or [1]}
        checked = cast(CompareParams, validated(self.engines.get(CompareEngine.name), params))
        for key, side in (("a", checked.a), ("b", checked.b)):
            engine = self.engines.get(side.engine)
            if engine.available():
                raise Invalid(
                    "%(engine)s is unavailable: %(reason)s",
                    key,
                    params={"engine": engine.name, "reason": engine.available()},
                )
            # Its own schema; the comparison gives the pictures its required uploads name.
            required = set(params_schema(engine).get("required", []))
            blanks = {n: "0" * 32 for n in upload_fields(engine) if n in required}
            validated(engine, {**blanks, **side.params})
        if checked.a.engine != checked.b.engine:
            raise Invalid("a comparison runs one engine under two settings", field="b.engine")
        if checked.a.label == checked.b.label:
            raise Invalid("the two sides need different labels", field="b.label")
        if checked.a.engine not in compare.JUDGED:
            raise Invalid(
                "no judge for %(engine)s yet; compare runs %(judged)s",
                params={"engine": checked.a.engine, "judged": ", ".join(compare.JUDGED)},
                field="a.engine",
            )
        job, _ = self.jobs.submit(who, CompareEngine.name, checked.model_dump(mode="json"))
        with self.db.transaction() as s:
            row = EvalReport(
                kind="compare",
                title=f"{checked.a.engine}: {checked.a.label} against {checked.b.label}",
                engine=checked.a.engine,
                label_a=checked.a.label,
                label_b=checked.b.label,
                spec=job.params,
                summary={},
                origin=origin,
                created_by=who.user_id,
                job_id=job.id,
                created_at=utcnow(),
            )
            s.add(row)
        return row

    # -- looking -------------------------------------------------------------------------

    def _collect(self) -> None:
        """Fill the rows of comparisons whose jobs have finished since they were last seen."""
        with self.db.transaction() as s:
            waiting = s.execute(
                select(EvalReport, Job)
                .join(Job, Job.id == EvalReport.job_id)
                .where(EvalReport.sha256.is_(None), Job.status == "succeeded")
                .with_for_update(of=EvalReport, skip_locked=True)
            ).all()
            for row, job in waiting:
                zipped = next(
                    (f for w in job.works for f in w.files if f.name == REPORT_FILE), None
                )
                if zipped is None:
                    continue
                with zipfile.ZipFile(self.artifacts.staged(zipped.sha256)) as archive:
                    made = json.loads(archive.read("report.json"))
                row.sha256, row.summary = zipped.sha256, compare_summary(made)
                row.finished_at = job.finished_at or utcnow()

    def _kept(self, s: Any, rows: list[EvalReport]) -> list[Kept]:
        users = {
            u.id: u.email
            for u in s.scalars(select(User).where(User.id.in_({r.created_by for r in rows})))
        }
        jobs = {j.id: j for j in s.scalars(select(Job).where(Job.id.in_({r.job_id for r in rows})))}
        kept = []
        for row in rows:
            job = jobs.get(row.job_id or "")
            status = "succeeded" if row.sha256 else (job.status if job else "failed")
            kept.append(
                Kept(
                    row,
                    users.get(row.created_by or ""),
                    status,
                    1.0 if row.sha256 else (job.progress if job else 0.0),
                    job.error if job else None,
                )
            )
        return kept

    def reports(
        self,
        who: Principal,
        kind: str | None = None,
        engine: str | None = None,
        limit: int = PAGE,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[Kept]:
        """Kept reports, newest first (admins)."""
        authz.require_admin(who)
        if kind is not None and kind not in REPORT_KINDS:
            raise Invalid(
                "kind is one of %(choices)s",
                field="kind",
                params={"choices": ", ".join(REPORT_KINDS)},
            )
        self._collect()
        query = select(EvalReport)
        if kind:
            query = query.where(EvalReport.kind == kind)
        if engine:
            query = query.where(EvalReport.engine == engine)
        with self.db.transaction() as s:
            page = paging.page(query, EvalReport.created_at, EvalReport.id, limit, offset, after)
            return self._kept(s, list(s.scalars(page)))

    def report(self, who: Principal, report_id: str) -> Kept:
        authz.require_admin(who)
        self._collect()
        with self.db.transaction() as s:
            row = s.get(EvalReport, report_id)
            if row is None:
                raise NotFound(
                    "no report %(report_id)s", field="report_id", params={"report_id": report_id}
                )
            return self._kept(s, [row])[0]

    def report_file(self, who: Principal, report_id: str, name: str) -> tuple[str, bytes]:
        """One file of a kept report (its mime type and bytes), by its path in the report."""
        kept = self.report(who, report_id)
        if kept.report.sha256 is None:
            raise NotFound(
                "report %(report_id)s is not finished",
                field="report_id",
                params={"report_id": report_id},
            )
        with zipfile.ZipFile(self.artifacts.staged(kept.report.sha256)) as archive:
            if name not in archive.namelist():
                raise NotFound(
                    "report %(report_id)s has no file %(name)s",
                    field="name",
                    params={"report_id": report_id, "name": name},
                )
            data = archive.read(name)
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return mime, data

    def metrics(self, who: Principal) -> dict[str, str]:
        """Every metric kept reports have, by key, with its title."""
        authz.require_admin(who)
        found: dict[str, str] = {}
        with self.db.transaction() as s:
            for summary in s.scalars(select(EvalReport.summary)):
                for key, entry in summary.items():
                    found.setdefault(key, entry["title"])
        return dict(sorted(found.items()))

    def trend(self, who: Principal, metric: str, engine: str | None = None) -> bytes:
        """An SVG of the metric's value per report over time, one line per engine and
        side label (a comparison adds a point to both of its sides' lines)."""
        authz.require_admin(who)
        self._collect()
        query = select(EvalReport).where(EvalReport.sha256.is_not(None))
        if engine:
            query = query.where(EvalReport.engine == engine)
        series: dict[str, list[trends.Point]] = {}
        title, better = metric, None
        with self.db.transaction() as s:
            for row in s.scalars(query.order_by(EvalReport.created_at)):
                entry = row.summary.get(metric)
                if entry is None:
                    continue
                title, better = entry["title"], entry["higher_is_better"]
                for side, label in (("a", row.label_a), ("b", row.label_b)):
                    if entry.get(side) is not None:
                        name = f"{row.engine} · {label}" if row.engine else label
                        series.setdefault(name, []).append((row.created_at, entry[side]))
        arrow = "" if better is None else " (higher is better)" if better else " (lower is better)"
        return trends.line_plot(series, f"{title}{arrow}", metric.split("@")[0])
