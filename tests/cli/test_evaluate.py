"""Tests of keras_aae.cli.evaluate"""

import json

import numpy as np
import pytest
import tensorflow as tf

from helpers import SMALL_RUN
from helpers import call_cli


def test_evaluate_corrupt_model_is_a_user_error(tmp_path):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = call_cli("evaluate", "--model", str(bad), "--dataset", "digits")
    assert result.returncode == 2
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("keras-aae")
    ]
    assert (
        len(lines) == 1
        and str(bad) in lines[0]
        and "Traceback" not in result.stderr
    )


@pytest.mark.parametrize(
    "variant, extra, figure",
    [
        ("label_informed", ["--latent-dim", "2"], "own_component_rate"),
        ("supervised", [], None),
        ("semi_supervised", ["--num-labels", "100"], "test_error"),
        ("clustering", ["--num-classes", "16"], "clustering_error"),
        (
            "dimensionality_reduction",
            ["--latent-dim", "2", "--num-labels", "100"],
            "test_error",
        ),
    ],
)
def test_train_each_variant_then_evaluate(tmp_path, variant, extra, figure):
    out = tmp_path / variant
    args = SMALL_RUN + ["--epochs", "2", "--batch-size", "64"] + extra
    result = call_cli("train", "--variant", variant, "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    for name in (
        "model.keras",
        "latent.png",
        "samples.png",
        "reconstructions.png",
    ):
        assert (out / name).exists(), name
    assert (out / "styles.png").exists() == (variant == "supervised")
    decoder = tf.saved_model.load(str(out / "decoder")).signatures[
        "serving_default"
    ]
    sample = call_cli(
        "sample",
        "--decoder",
        str(out / "decoder"),
        "--num",
        "4",
        "--out",
        str(tmp_path / "s.npy"),
    )
    assert sample.returncode == 0, sample.stderr
    assert np.load(tmp_path / "s.npy").shape == (4, 8, 8, 1)
    assert decoder.structured_input_signature[1]["codes"].shape[-1] > 0
    evaluated = call_cli(
        "evaluate",
        "--model",
        str(out / "model.keras"),
        "--dataset",
        "digits",
        "--no-parzen",
        "--labels",
        "100",
        "--num-samples",
        "500",
    )
    if figure is None:  # the supervised decoder needs labels: a clear error
        assert (
            evaluated.returncode == 2
            and "decoder also reads labels" in evaluated.stderr
        )
        return
    assert evaluated.returncode == 0, evaluated.stderr
    value = json.loads(evaluated.stdout.strip().splitlines()[-1])["variant"][
        figure
    ]
    assert 0.0 <= value <= 1.0


def test_holdout_labels_then_anomaly_labels(tmp_path):
    out = tmp_path / "no_zeros"
    result = call_cli(
        "train",
        "--out",
        str(out),
        "--holdout-labels",
        "0",
        "--epochs",
        "15",
        "--batch-size",
        "64",
        *SMALL_RUN,
    )
    assert result.returncode == 0, result.stderr
    evaluated = call_cli(
        "evaluate",
        "--model",
        str(out / "model.keras"),
        "--dataset",
        "digits",
        "--no-parzen",
        "--labels",
        "all",
        "--num-samples",
        "500",
        "--anomaly-labels",
        "0",
        "--verbose",
        "0",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert "Latent probes" not in evaluated.stderr, evaluated.stderr
    anomaly = json.loads(evaluated.stdout.strip().splitlines()[-1])[
        "anomaly_auroc"
    ]
    assert anomaly["held_out_labels"] == [0]
    # Zeros were never trained on: they reconstruct worse than the others.
    assert anomaly["reconstruction"] > 0.6, anomaly
