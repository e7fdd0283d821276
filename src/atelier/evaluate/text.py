"""`atelier eval text`: the text engines on Atelier's own evaluation set.

The set has two parts (tests/data/text_eval_test.json, blind, frozen before tuning; and
text_eval_tune.json, what the engines were tuned on). Each item runs twice through its
engine, as a user would get it: with one draft (`candidates` 1; a draft that fails its
checks is still redrawn) and with N drafts reranked by the engine's checks. For both we
report, per engine: BLEU and chrF (sacrebleu) and ROUGE-1/2/L (rouge-score) against the
references; the share of works delivered with every check met (`Creation.unmet` empty);
for restyle and summarize the embedding similarity with the source, the share whose
meaning the meaning check keeps (meaning.py), for restyle the share that changes the text
enough, for summarize the share ending at a sentence's end and not copying the text;
perplexity under the model (fluency); distinct-1/2 over all outputs (variety); and for
verse, the share of poems keeping their form (syllables and rhymes), and of lines keeping
theirs: every line drawn (before) against the lines kept (after).

Labels that need no model: the meaning check on each item's reference (meaning kept: it
should pass) and its `reversed` text (meaning turned round: it should be caught), and
the `languages` inputs, refused as a parameter error naming the field or accepted."""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from atelier import embeddings
from atelier.engines.base import Context, Creation, Engine
from atelier.engines.text.common import ends_sentence, words
from atelier.engines.text.meaning import meaning_problems
from atelier.engines.text.restyle import MIN_CHANGE, changed
from atelier.engines.text.summarize import copying
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


def run_item(engine: Engine, params: dict[str, Any], seed: int) -> tuple[str, Creation]:
    """The engine's text and creation for one item, run as a job would run it."""
    with tempfile.TemporaryDirectory() as scratch:
        creation = engine.run(
            engine.Params.model_validate(params), Context(seed, Path(scratch), {})
        )
    return creation[0].files[0].data.decode("utf-8").strip(), creation[0]


def check_scores(
    section: str, items: list[dict[str, Any]], texts: list[str], unmet: list[list[str]]
) -> dict[str, float]:
    """Shares of the outputs meeting the engines' checks, recomputed from the texts."""
    scores = {"checks_met": float(np.mean([not reasons for reasons in unmet]))}
    if section == "write":
        return scores
    sources = [item["params"]["text"] for item in items]
    pairs = list(zip(sources, texts, strict=True))
    vectors, originals = embeddings.embed(texts), embeddings.embed(sources)
    scores["similarity"] = float(np.mean(np.sum(vectors * originals, axis=1)))
    summary = section == "summarize"
    scores["meaning_kept"] = float(np.mean([not meaning_problems(*p, summary) for p in pairs]))
    if section == "restyle":
        scores["changed"] = float(np.mean([changed(*p) >= MIN_CHANGE for p in pairs]))
    else:
        forms = [item["params"].get("length", "abstract") for item in items]
        ends = [ends_sentence(t) for f, t in zip(forms, texts, strict=True) if f != "bullets"]
        scores["ends_sentence"] = float(np.mean(ends)) if ends else 1.0
        copied = [copying(f, t, s) for f, (s, t) in zip(forms, pairs, strict=True)]
        scores["copies_text"] = float(np.mean([bool(c) for c in copied]))
    return scores


def meaning_labels(items: list[dict[str, Any]], summary: bool) -> dict[str, float]:
    """The meaning check against the set's labels: references kept, reversed caught."""
    kept = [not meaning_problems(i["params"]["text"], i["reference"], summary) for i in items]
    caught = [bool(meaning_problems(i["params"]["text"], i["reversed"], summary)) for i in items]
    return {"references_kept": float(np.mean(kept)), "reversed_caught": float(np.mean(caught))}


def languages(engines: dict[str, Engine], items: list[dict[str, Any]]) -> dict[str, Any]:
    """Each input validated as a job's parameters are: refused naming its field, or not."""
    right, wrong = 0, []
    for item in items:
        try:
            engines[item["engine"]].Params.model_validate(item["params"])
            refused = False
        except ValidationError as exc:
            named = any(item["field"] in map(str, error["loc"]) for error in exc.errors())
            refused = named
        if refused != (not item["readable"]):
            wrong.append(item["id"])
        else:
            right += 1
    return {"items": len(items), "right": right, "wrong": wrong}


def evaluate(
    engines: dict[str, Engine],
    data: dict[str, Any],
    candidates: int = 4,
    limit: int | None = None,
    scorer: Callable[[str], tuple[float, int]] | None = None,
    seed: int = 1,
    log: Callable[[str], None] = lambda line: None,
    sections: Sequence[str] = tuple(ENGINES),
    baseline: bool = True,
) -> dict[str, Any]:
    """Scores for each engine section of `data`, before (one draft; unless not `baseline`)
    and after reranking."""
    report: dict[str, Any] = {"candidates": candidates, "seed": seed, "engines": {}}
    stages = (("before", 1), ("after", candidates)) if baseline else (("after", candidates),)
    for section, name in ENGINES.items():
        items = data.get(section, [])[:limit]
        if not items or name not in engines or section not in sections:
            continue
        engine = engines[name]
        outputs: dict[str, list[str]] = {"before": [], "after": []}
        unmet: dict[str, list[list[str]]] = {"before": [], "after": []}
        # Verse: whole poems keeping their form (one draft, then N), and lines keeping
        # theirs (every line the model drew, then the lines chosen).
        poems: dict[str, list[bool]] = {"before": [], "after": []}
        lines: dict[str, list[float]] = {"before": [], "after": []}
        started = time.monotonic()
        for item in items:
            for stage, drafts in stages:
                params = {**item["params"], "candidates": drafts}
                text, creation = run_item(engine, params, seed)
                meta = creation.meta
                outputs[stage].append(text)
                unmet[stage].append(creation.unmet)
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
        result: dict[str, Any] = {"items": len(items)}
        for stage, texts in outputs.items():
            if not texts:
                continue
            scores = reference_scores(texts, references)
            scores["distinct_1"] = distinct_n(texts, 1)
            scores["distinct_2"] = distinct_n(texts, 2)
            scores |= check_scores(section, items, texts, unmet[stage])
            if scorer is not None:
                scores["perplexity"] = perplexity(texts, scorer)
            if poems[stage]:
                scores["verse_meets_form"] = float(np.mean(poems[stage]))
                scores["verse_lines_ok"] = float(np.mean(lines[stage]))
            result[stage] = {key: round(value, 3) for key, value in scores.items()}
        if section != "write" and all("reversed" in item for item in items):
            result["meaning_check"] = meaning_labels(items, section == "summarize")
        result["seconds"] = round(time.monotonic() - started, 1)
        result["outputs"] = [
            {"id": item["id"], "before": before, "after": after, "unmet": reasons}
            for item, before, after, reasons in zip(
                items,
                outputs["before"] or [""] * len(items),
                outputs["after"],
                unmet["after"],
                strict=True,
            )
        ]
        report["engines"][name] = result
    if data.get("languages"):
        report["languages"] = languages(engines, data["languages"])
    return report


def markdown(report: dict[str, Any]) -> str:
    """The report as a table: one row per engine and stage."""
    columns = ["bleu", "chrf", "rouge1", "rouge2", "rougeL", "checks_met", "similarity"]
    columns += ["meaning_kept", "changed", "ends_sentence", "copies_text", "perplexity"]
    columns += ["distinct_1", "distinct_2", "verse_meets_form", "verse_lines_ok"]
    lines = [
        "| engine | drafts | " + " | ".join(columns) + " |",
        "| --- | --- |" + " --- |" * len(columns),
    ]
    for name, result in report["engines"].items():
        for stage, drafts in (("before", 1), ("after", report["candidates"])):
            if stage not in result:
                continue
            row = result[stage]
            cells = [f"{row[c]:.3g}" if c in row else "–" for c in columns]
            label = f"{drafts} (reranked)" if stage == "after" else "1"
            lines.append(f"| `{name}` | {label} | " + " | ".join(cells) + " |")
    for name, result in report["engines"].items():
        if "meaning_check" in result:
            check = result["meaning_check"]
            lines.append(
                f"\nMeaning check, `{name}` items ({result['items']}): references kept "
                f"{check['references_kept']:.0%}, "
                f"reversed texts caught {check['reversed_caught']:.0%}"
            )
    if "languages" in report:
        found = report["languages"]
        wrong = f" (wrong: {', '.join(found['wrong'])})" if found["wrong"] else ""
        lines.append(f"\nLanguages: {found['right']} of {found['items']} right{wrong}")
    return "\n".join(lines)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
