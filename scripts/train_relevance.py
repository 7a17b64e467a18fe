"""Train the relevance filter's logistic regression on the hand-labelled papers, and measure it.

Usage: .venv/bin/python scripts/train_relevance.py [--labels tests/fixtures/relevance/labelled.jsonl]
                                                   [--out tracker/relevance/data/relevance_model.json]

* Only the ``train`` split is used to fit and to choose hyper-parameters (C and the decision threshold, by
  5-fold cross-validated F1 of the whole two-stage filter); the ``test`` split is scored once at the end.
* The model is fitted on the train papers the keyword stage leaves undecided (the others never reach it).
* Features: the MiniLM embedding of "title. abstract" (the index's text) + ``LEXICAL_FEATURES``.
* The weights are written rounded to 6 decimals with sorted keys, so re-training gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from tracker.embedding.embedders import Embedder
from tracker.paper import Paper
from tracker.relevance.classifier import LEXICAL_FEATURES, lexical_features, zone
from tracker.relevance.keywords import assess

REPO = Path(__file__).resolve().parent.parent
C_GRID = [0.1, 0.3, 1.0, 3.0, 10.0]
THRESHOLD_GRID = [round(t, 2) for t in np.arange(0.20, 0.71, 0.05)]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def to_paper(row: dict) -> Paper:
    day = date.fromisoformat(row["first_seen"]) if row.get("first_seen") else date(2026, 1, 1)
    return Paper(id=row["id"], version=1, title=row["title"], abstract=row["abstract"], authors=[],
                 categories=row["categories"] or ["cs.AI"], published=day, updated=day)


def counts(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    tp = int(((predicted == 1) & (truth == 1)).sum())
    fp = int(((predicted == 1) & (truth == 0)).sum())
    fn = int(((predicted == 0) & (truth == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4), "n": int(len(truth))}


def decide(zones: np.ndarray, probabilities: np.ndarray, threshold: float) -> np.ndarray:
    return np.where(zones == "accept", 1, np.where(zones == "reject", 0, (probabilities >= threshold).astype(int)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=REPO / "tests/fixtures/relevance/labelled.jsonl")
    parser.add_argument("--out", type=Path, default=REPO / "tracker/relevance/data/relevance_model.json")
    args = parser.parse_args()

    rows = load(args.labels)
    papers = [to_paper(r) for r in rows]
    evidence = [assess(p) for p in papers]
    zones = np.array([zone(e) for e in evidence])
    lexical = np.array([lexical_features(e) for e in evidence], dtype=np.float64)
    truth = np.array([int(r["label"]) for r in rows])
    train = np.array([r["split"] == "train" for r in rows])
    embedder = Embedder()
    print(f"embedding {len(papers)} labelled papers with {embedder.name} ...", file=sys.stderr)
    vectors = embedder.encode([p.text for p in papers]).astype(np.float64)
    features = np.hstack([vectors, lexical])
    fit_rows = train & (zones == "decide")

    # choose C and the threshold by cross-validated F1 of the full two-stage filter on the train split
    train_idx = np.where(train)[0]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    best: tuple[float, float, float] | None = None
    for c in C_GRID:
        out_of_fold = np.zeros(len(rows))
        for fit_part, held_part in folds.split(train_idx, truth[train_idx]):
            fit_idx = train_idx[fit_part]
            fit_idx = fit_idx[zones[fit_idx] == "decide"]
            model = LogisticRegression(C=c, max_iter=5000).fit(features[fit_idx], truth[fit_idx])
            held_idx = train_idx[held_part]
            out_of_fold[held_idx] = model.predict_proba(features[held_idx])[:, 1]
        for threshold in THRESHOLD_GRID:
            f1 = counts(decide(zones[train], out_of_fold[train], threshold), truth[train])["f1"]
            if best is None or f1 > best[0]:
                best = (f1, c, threshold)
    assert best is not None
    cv_f1, c, threshold = best
    model = LogisticRegression(C=c, max_iter=5000).fit(features[fit_rows], truth[fit_rows])
    probabilities = model.predict_proba(features)[:, 1]
    test = ~train
    lexical_only = np.array([1 if e.relevant else 0 for e in evidence])
    metrics = {
        "labelled": int(len(rows)), "train": int(train.sum()), "test": int(test.sum()),
        "cv_f1_train": cv_f1, "C": c,
        "test_two_stage": counts(decide(zones[test], probabilities[test], threshold), truth[test]),
        "test_keywords_only": counts(lexical_only[test], truth[test]),
        "train_two_stage": counts(decide(zones[train], probabilities[train], threshold), truth[train]),
    }
    weights = model.coef_[0]
    data = {
        "about": "Logistic regression of tracker.relevance.classifier; trained by scripts/train_relevance.py on the "
                 "train split of tests/fixtures/relevance/labelled.jsonl.",
        "embedding_model": embedder.name,
        "lexical_features": LEXICAL_FEATURES,
        "embedding_weights": [round(float(w), 6) for w in weights[: vectors.shape[1]]],
        "lexical_weights": [round(float(w), 6) for w in weights[vectors.shape[1]:]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": threshold,
        "metrics": metrics,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
