"""`keras-aae score`: an anomaly score for every image, as a CSV file.

One row per image (`image`: its path, or its index in a dataset split;
`label` when known; `score`; `anomalous`: the score above the threshold
that `keras-aae train` stored, or `--threshold`), and a one-line summary on
standard error. The file appears whole or not at all.
"""

import csv
import os
import sys

import numpy as np

from keras_aae import models
from keras_aae._io import atomic_path
from keras_aae.cli import inputs
from keras_aae.cli.parser import UsageError
from keras_aae.cli.parser import one_line
from keras_aae.cli.parser import user_errors

FIELDS = ("image", "label", "score", "anomalous")


def _load(path):
    if os.path.isdir(path):
        path = os.path.join(path, "model.keras")
    model = models.load_model(path)
    if not getattr(model, "scores_anomalies", False):
        raise ValueError(
            f"{path} is a {type(model).__name__}, which decodes a label "
            "beside each code: it cannot score images alone."
        )
    return model, path


def _threshold(model, args, path):
    if args.threshold is not None:
        return args.threshold
    score = model.anomaly_score
    if score is None or score.threshold is None:
        raise ValueError(
            f"{path} has no stored anomaly threshold (it was trained before "
            "keras-aae 0.9, or without held-out images): retrain it with "
            "`keras-aae train`, or pass --threshold."
        )
    return score.threshold


def run(args):
    """Scores `--images` or `--dataset`'s `--split`; returns the exit
    status."""
    try:
        model, path = _load(args.model)
        if model.anomaly_score is None:
            raise ValueError(
                f"{path} has no anomaly score: retrain it with `keras-aae "
                "train` (0.9 or later), which fits one."
            )
        threshold = _threshold(model, args, path)
        shape = tuple(model.encoder.inputs[0].shape[1:])
        images, names, labels = inputs.scoring_images(
            args, shape[:2], shape[-1]
        )
    except user_errors() as error:
        raise UsageError(one_line(error)) from None
    scores = model.score_anomalies(images)
    flagged = scores > threshold
    with atomic_path(args.out) as tmp:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(FIELDS)
            for i, name in enumerate(names):
                label = "" if labels is None else labels[i]
                writer.writerow(
                    [name, label, f"{scores[i]:.6g}", int(flagged[i])]
                )
    quantile = model.anomaly_score.quantile
    source = f"quantile {quantile} of held-out normal images"
    if args.threshold is not None:
        source = "--threshold"
    print(
        f"Scored {len(scores)} images with {type(model.anomaly_score).__name__}"
        f": {int(flagged.sum())} anomalous ({100 * np.mean(flagged):.1f} %) "
        f"above {threshold:.4g} ({source}); wrote {args.out}",
        file=sys.stderr,
    )
    return 0
