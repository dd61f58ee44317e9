"""`keras-aae train --variant domain_adaptation` and its `evaluate`."""

import json
import os

import pytest

from helpers import call_cli
from helpers import mnist_data_dir

# Digits as the source, a small slice of MNIST (resized to 8x8) as the target.
needs_mnist = pytest.mark.skipif(
    mnist_data_dir() is None,
    reason="MNIST is not prepared (set TFDS_DATA_DIR to ../shared/data/"
    "tensorflow_datasets)",
)


@needs_mnist
def test_train_and_evaluate_domain_adaptation(tmp_path, monkeypatch):
    out = str(tmp_path / "run")
    monkeypatch.setenv("TFDS_DATA_DIR", mnist_data_dir())
    args = [
        "train", "--variant", "domain_adaptation", "--dataset", "digits",
        "--target-dataset", "mnist", "--latent-dim", "4", "--hidden", "32",
        "--epochs", "1", "--batch-size", "256", "--out", out, "--verbose", "0",
    ]  # fmt: skip
    result = call_cli(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("model.keras", "encoder", "decoder", "history.csv"):
        assert os.path.exists(os.path.join(out, name)), name
    with open(os.path.join(out, "history.csv")) as f:
        header = f.readline()
    assert "domain_loss" in header and "confusion_loss" in header
    evaluated = call_cli(
        "evaluate", "--model", os.path.join(out, "model.keras"),
        "--dataset", "digits", "--target-dataset", "mnist",
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    report = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert report["target_dataset"] == "mnist"
    for key in ("source_test_accuracy", "target_test_accuracy"):
        assert 0.0 <= report[key] <= 1.0
    # The digits source is learned well above chance even in one epoch.
    assert report["source_test_accuracy"] > 0.3


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--variant", "domain_adaptation"], ["--target-dataset"]),
        (["--target-dataset", "mnist"], ["--variant", "domain_adaptation"]),
        (
            ["--variant", "domain_adaptation", "--target-dataset", "digits"],
            ["two different datasets"],
        ),
    ],
)
def test_train_refuses_domain_arguments_that_do_not_fit(tmp_path, extra, words):
    result = call_cli(
        "train", "--dataset", "digits", "--out", str(tmp_path / "r"), *extra
    )
    assert result.returncode == 2
    for word in words:
        assert word in result.stderr, result.stderr
