"""The profanity layer computes alt-profanity-check's probabilities from the fitted
numbers, without scikit-learn's per-call checks: the same figures as the package's own
`predict_proba`, on every labelled prompt."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from atelier.safety import profanity

DATA = Path(__file__).parent / "data" / "moderation_prompts.jsonl"


def test_the_scores_are_the_packages_own() -> None:
    texts = [json.loads(line)["text"] for line in DATA.read_text().splitlines() if line.strip()]
    vectorizer, model = profanity.packaged()
    expected = model.predict_proba(vectorizer.transform(texts))[:, 1]
    assert np.allclose(profanity.scores(texts), expected, rtol=0, atol=1e-12)
    assert max(profanity.scores(["you stupid piece of shit"])) > 0.9
    assert max(profanity.scores(["a watercolour of a lighthouse at dawn"])) < 0.2
    assert profanity.scores([]) == []
