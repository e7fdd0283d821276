"""`atelier eval text`: the text engines on Atelier's own evaluation set.

Each item runs twice through its engine, as a user would get it: with one draft (what the
model writes unaided) and with N drafts reranked by the engine's checks. For both we
report, per engine: BLEU and chrF (sacrebleu) and ROUGE-1/2/L (rouge-score) against the
references; meaning kept (embedding cosine with the source) for restyle and summarize;
perplexity under the model (fluency); distinct-1/2 over all outputs (variety); and for
verse, the share of poems keeping their form (syllables and rhymes), and of lines keeping
theirs: every line drawn (before) against the lines kept (after)."""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from atelier import embeddings
from atelier.engines.base import Context, Engine
from atelier.engines.text.common import words
from atelier.engines.text.verse import FORMS, lines_kept

ENGINES = {"write": "text.write", "restyle": "text.restyle", "summarize": "text.summarize"}


class Perplexity:
    """Perplexity of texts under a GGUF model, in-process (a second, scoring context)."""

    def __init__(self, path: Path, threads: int = 0, context: int = 1024) -> None:
        from llama_cpp import Llama

        from atelier.engines.text.runtime import usable_cpus

        threads = threads or usable_cpus()
        self.llm = Llama(
            model_path=str(path),
            n_ctx=context,
            n_batch=context,
            n_threads=threads,
            n_threads_batch=threads,
            logits_all=True,
            verbose=False,
        )

    def __call__(self, text: str) -> tuple[float, int]:
        """The text's negative log-likelihood in nats, and the tokens it was summed over."""
        tokens = self.llm.tokenize(text.encode("utf-8"), add_bos=True)[: self.llm.n_ctx()]
        if len(tokens) < 2:
            return 0.0, 0
        self.llm.reset()
        self.llm.eval(tokens)
        logits = np.asarray(self.llm.scores[: len(tokens) - 1], dtype=np.float64)
        top = logits.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        picked = logits[np.arange(len(tokens) - 1), tokens[1:]]
        return float(np.sum(log_norm - picked)), len(tokens) - 1


def perplexity(texts: Sequence[str], scorer: Callable[[str], tuple[float, int]]) -> float:
    """Corpus perplexity: exp of the mean negative log-likelihood per token over all the
    texts (a four-word slogan weighs four words, not as much as a story)."""
    totals = [scorer(text) for text in texts]
    count = sum(n for _, n in totals)
    return math.exp(sum(nll for nll, _ in totals) / count) if count else float("nan")


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct n-grams over all n-grams of the outputs (Li et al. 2016)."""
    grams = [
        tuple(tokens[i : i + n])
        for tokens in (words(t) for t in texts)
        for i in range(len(tokens) - n + 1)
    ]
    return len(set(grams)) / len(grams) if grams else 0.0


def reference_scores(outputs: list[str], references: list[str]) -> dict[str, float]:
    import sacrebleu
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rouge = [scorer.score(ref, out) for out, ref in zip(outputs, references, strict=True)]
    return {
        "bleu": sacrebleu.corpus_bleu(outputs, [references]).score,
        "chrf": sacrebleu.corpus_chrf(outputs, [references]).score,
        **{
            key: 100 * float(np.mean([r[key].fmeasure for r in rouge]))
            for key in ("rouge1", "rouge2", "rougeL")
        },
    }


def run_item(engine: Engine, params: dict[str, Any], seed: int) -> tuple[str, dict[str, Any]]:
    """The engine's text and meta for one item, run as a job would run it."""
    with tempfile.TemporaryDirectory() as scratch:
        creation = engine.run(
            engine.Params.model_validate(params), Context(seed, Path(scratch), {})
        )
    return creation[0].files[0].data.decode("utf-8").strip(), creation[0].meta


def evaluate(
    engines: dict[str, Engine],
    data: dict[str, Any],
    candidates: int = 4,
    limit: int | None = None,
    scorer: Callable[[str], tuple[float, int]] | None = None,
    seed: int = 1,
    log: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """Scores for each engine section of `data`, before (one draft) and after reranking."""
    report: dict[str, Any] = {"candidates": candidates, "seed": seed, "engines": {}}
    for section, name in ENGINES.items():
        items = data.get(section, [])[:limit]
        if not items or name not in engines:
            continue
        engine = engines[name]
        outputs: dict[str, list[str]] = {"before": [], "after": []}
        # Verse: whole poems keeping their form (one draft, then N), and lines keeping
        # theirs (every line the model drew, then the lines chosen).
        poems: dict[str, list[bool]] = {"before": [], "after": []}
        lines: dict[str, list[float]] = {"before": [], "after": []}
        started = time.monotonic()
        for item in items:
            for stage, drafts in (("before", 1), ("after", candidates)):
                params = {**item["params"], "candidates": drafts}
                text, meta = run_item(engine, params, seed)
                outputs[stage].append(text)
                form = FORMS.get(item["params"].get("form", "")) if section == "write" else None
                if form is not None:
                    poems[stage].append(bool(meta["checks"]["meets_form"]))
                    if stage == "after":
                        checks = meta["checks"]
                        lines["before"].append(
                            checks["line_candidates_ok"] / checks["line_candidates"]
                        )
                        kept = lines_kept(text.splitlines(), form)
                        lines["after"].append(sum(kept) / len(kept))
            log(f"{name} {item['id']}: {outputs['after'][-1][:70]!r}")
        references = [item["reference"] for item in items]
        sources = [item["params"].get("text", "") for item in items]
        result: dict[str, Any] = {"items": len(items)}
        for stage, texts in outputs.items():
            scores = reference_scores(texts, references)
            scores["distinct_1"] = distinct_n(texts, 1)
            scores["distinct_2"] = distinct_n(texts, 2)
            if section != "write":
                vectors = embeddings.embed(texts)
                originals = embeddings.embed(sources)
                scores["meaning"] = float(np.mean(np.sum(vectors * originals, axis=1)))
            if scorer is not None:
                scores["perplexity"] = perplexity(texts, scorer)
            if poems[stage]:
                scores["verse_meets_form"] = float(np.mean(poems[stage]))
                scores["verse_lines_ok"] = float(np.mean(lines[stage]))
            result[stage] = {key: round(value, 3) for key, value in scores.items()}
        result["seconds"] = round(time.monotonic() - started, 1)
        result["outputs"] = [
            {"id": item["id"], "before": before, "after": after}
            for item, before, after in zip(items, outputs["before"], outputs["after"], strict=True)
        ]
        report["engines"][name] = result
    return report


def markdown(report: dict[str, Any]) -> str:
    """The report as a table: one row per engine and stage."""
    columns = ["bleu", "chrf", "rouge1", "rouge2", "rougeL", "meaning", "perplexity"]
    columns += ["distinct_1", "distinct_2", "verse_meets_form", "verse_lines_ok"]
    lines = [
        "| engine | drafts | " + " | ".join(columns) + " |",
        "| --- | --- |" + " --- |" * len(columns),
    ]
    for name, result in report["engines"].items():
        for stage, drafts in (("before", 1), ("after", report["candidates"])):
            row = result[stage]
            cells = [f"{row[c]:.3g}" if c in row else "–" for c in columns]
            label = f"{drafts} (reranked)" if stage == "after" else "1"
            lines.append(f"| `{name}` | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
