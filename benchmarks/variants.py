"""The paper's variants on MNIST, next to the paper's figures.

Trains each configuration with the library (`keras_aae.variants.build`,
`training_dataset`, `fit`) and scores it with `keras_aae.evaluation`; one
`ROW {...}` JSON line per configuration:

    TFDS_DATA_DIR=../shared/data/tensorflow_datasets \
        python benchmarks/variants.py --epochs 10 --hidden 256 256

Configurations (`--configs`): semi100, semi1000 (section 5, test error with
100 / 1,000 labels), cluster16, cluster30 (section 6, clustering error by the
paper's rule), dimred (section 7, 2-D representation with 1,000 labels),
label_informed (section 2.3, 2-D mixture of 10 Gaussians, all labels: share
of test codes in their own component), anomaly (seed 001: one digit held
out of training, AUROC per held-out digit; `--anomaly-epochs`).
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_aae import data  # noqa: E402
from keras_aae import evaluation  # noqa: E402
from keras_aae import variants  # noqa: E402

# (variant, latent size, classes, labels, figure, paper's figure)
CONFIGS = {
    "semi100": ("semi_supervised", 10, 10, 100, "test_error", 0.0190),
    "semi1000": ("semi_supervised", 10, 10, 1000, "test_error", None),
    "cluster16": ("clustering", 5, 16, None, "clustering_error", 0.0955),
    "cluster30": ("clustering", 5, 30, None, "clustering_error", 0.0410),
    "dimred": ("dimensionality_reduction", 2, 10, 1000, "test_error", None),
    "label_informed": (
        "label_informed",
        2,
        10,
        None,
        "own_component_rate",
        None,
    ),
}


def train(variant, splits, latent_dim, num_classes, num_labels, args, **kwargs):
    keras.utils.set_random_seed(args.seed)
    (x, y) = splits["train"]
    model = variants.build(
        variant,
        x.shape[1:],
        latent_dim,
        hidden=args.hidden,
        num_classes=num_classes,
        seed=args.seed,
        **kwargs,
    )
    model.compile()
    ds = variants.training_dataset(
        variant,
        x,
        y,
        num_labels=num_labels,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    start = time.perf_counter()
    model.fit(ds, epochs=args.epochs, verbose=0)
    return model, time.perf_counter() - start


def run_config(name, splits, args):
    variant, latent_dim, k, num_labels, figure, paper = CONFIGS[name]
    model, seconds = train(variant, splits, latent_dim, k, num_labels, args)
    figures = evaluation.variant_figures(model, splits)
    row = {
        "config": name,
        "figure": figure,
        "paper": paper,
        "ours": round(figures[figure], 4),
        **{k2: v for k2, v in figures.items() if k2 != figure},
        "epochs": args.epochs,
        "train_seconds": round(seconds, 1),
        "hidden": args.hidden,
    }
    print("ROW", json.dumps(row), flush=True)


def run_anomaly(splits, args):
    (x, y), (x_test, y_test) = splits["train"], splits["test"]
    results, start = {}, time.perf_counter()
    epochs = args.epochs
    args.epochs = args.anomaly_epochs
    for digit in range(10):
        keep = y != digit
        held = {"train": (x[keep], y[keep])}
        model, _ = train("unsupervised", held, 8, 10, None, args)
        results[digit] = evaluation.held_out_class_auroc(
            model, x_test, y_test, digit, x[keep]
        )
    args.epochs = epochs
    row = {
        "config": "anomaly",
        "figure": "auroc_per_held_out_digit",
        "reconstruction": {
            d: round(r["reconstruction"], 3) for d, r in results.items()
        },
        "combined": {d: round(r["combined"], 3) for d, r in results.items()},
        "mean_reconstruction": round(
            float(np.mean([r["reconstruction"] for r in results.values()])), 3
        ),
        "mean_combined": round(
            float(np.mean([r["combined"] for r in results.values()])), 3
        ),
        "epochs": args.anomaly_epochs,
        "train_seconds": round(time.perf_counter() - start, 1),
        "hidden": args.hidden,
    }
    print("ROW", json.dumps(row), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--configs", nargs="+", default=list(CONFIGS) + ["anomaly"]
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--anomaly-epochs", type=int, default=3)
    parser.add_argument("--hidden", type=int, nargs="+", default=[1000, 1000])
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    splits = data.load_splits("mnist")
    for name in args.configs:
        if name == "anomaly":
            run_anomaly(splits, args)
        else:
            run_config(name, splits, args)


if __name__ == "__main__":
    main()
