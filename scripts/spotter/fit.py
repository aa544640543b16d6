"""Fitting the spotter's network, and how well it does on voices it never heard."""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from voice_coach.listening.stt.spotter import Spotter, features


def fit(frames: list[np.ndarray], labels: list[str], engines: list[str],
        args: argparse.Namespace) -> tuple[Spotter, dict[str, object]]:  # fmt: skip
    """The network fitted on everything, and how well it does when each engine's voices are
    left out of the fit in turn (a voice unlike any it was trained on)."""
    from sklearn.neural_network import MLPClassifier

    x = np.stack([features(f) for f in frames])
    y = np.array(labels)
    engine = np.array(engines)

    def train(rows: np.ndarray) -> tuple[Spotter, MLPClassifier, np.ndarray, np.ndarray]:
        mean, scale = x[rows].mean(axis=0), x[rows].std(axis=0) + 1e-6
        net = MLPClassifier((args.hidden,), alpha=1e-3, batch_size=256, max_iter=60,
                            early_stopping=True, random_state=args.seed)  # fmt: skip
        net.fit((x[rows] - mean) / scale, y[rows])
        spotter = Spotter(tuple(str(c) for c in net.classes_), mean, scale,
                          tuple(net.coefs_), tuple(net.intercepts_))  # fmt: skip
        return spotter, net, mean, scale

    report: dict[str, object] = {"examples": dict(Counter(labels))}
    for left_out in sorted(set(engines)):
        rows = engine != left_out
        _, net, mean, scale = train(rows)
        predicted = net.predict((x[~rows] - mean) / scale)
        truth = y[~rows]
        report[f"without {left_out}"] = {
            "accuracy": round(float(np.mean(predicted == truth)), 3),
            "commands": round(float(np.mean((predicted == truth)[truth != "none"])), 3),
            "none kept none": round(float(np.mean(predicted[truth == "none"] == "none")), 3),
        }
    spotter, *_ = train(np.ones(len(y), bool))
    return spotter, report
