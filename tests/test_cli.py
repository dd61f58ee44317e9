"""The `keras-aae` command line, run as users run it: in a subprocess."""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

SMALL = ["--dataset", "digits", "--latent-dim", "4", "--hidden", "32", "--seed", "0"]


def cli(*args, timeout=300, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "keras_aae", *args],
        capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, cwd=cwd,
    )


@pytest.mark.parametrize(
    "args, words",
    [
        (["train", "--out", "x", "--epochs", "-1"], "'-1'"),
        (["train", "--out", "x", "--epochs", "ten"], "'ten'"),
        (["train", "--out", "x", "--prior", "cauchy"], "'cauchy'"),
        (["train", "--out", "x", "--architecture", "rnn"], "'rnn'"),
        (["train", "--out", "x", "--dataset", "no_such_set"], "dataset='no_such_set'"),
        (["train", "--out", "x", "--dataset", "digits", "--prior", "swiss_roll",
          "--latent-dim", "3"], "latent_dim=3"),
        (["train"], "--out"),
        (["frobnicate"], "frobnicate"),
        (["sample", "--decoder", "nowhere", "--out", "g.png"], "'nowhere'"),
        (["sample", "--decoder", ".", "--out", "g.jpg"], "'g.jpg'"),
        (["evaluate", "--model", "nowhere.keras"], "'nowhere.keras'"),
        (["evaluate", "--model", "m.keras", "--labels", "0"], "'0'"),
        (["evaluate", "--model", "m.keras", "--num-samples", "-5"], "'-5'"),
        (["train", "--out", "x", "--variant", "adversarial_gan"], "'adversarial_gan'"),
        (["train", "--out", "x", "--dataset", "digits", "--variant", "supervised",
          "--architecture", "conv"], "--variant supervised"),
        (["train", "--out", "x", "--dataset", "digits", "--variant", "label_informed",
          "--prior", "gaussian"], "one component per class"),
        (["train", "--out", "x", "--dataset", "digits", "--variant", "semi_supervised",
          "--num-labels", "15"], "num_labels=15"),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path, args, words):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [l for l in result.stderr.splitlines() if l.startswith("keras-aae")]
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_missing_mnist_is_a_user_error(tmp_path):
    result = cli("train", "--out", str(tmp_path / "o"), "--data-dir", str(tmp_path),
                 env={"TFDS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "TFDS_DATA_DIR" in result.stderr and "Traceback" not in result.stderr


def test_train_writes_everything_then_sample(tmp_path):
    out = tmp_path / "run"
    result = cli("train", *SMALL, "--epochs", "2", "--out", str(out), "--verbose", "2")
    assert result.returncode == 0, result.stderr
    for name in ("model.keras", "decoder", "encoder", "history.csv", "samples.png",
                 "reconstructions.png"):
        assert (out / name).exists(), name
    # The backup stays: rerunning the command then only rewrites the outputs.
    assert (out / "backup" / "latest").is_dir()
    with open(out / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert "discriminator_accuracy" in rows[0]

    grid = tmp_path / "grid.png"
    result = cli("sample", "--decoder", str(out / "decoder"), "--num", "9", "--out", str(grid))
    assert result.returncode == 0, result.stderr
    assert tf.io.decode_png(tf.io.read_file(str(grid))).shape == (96, 96, 1)
    npy = tmp_path / "s.npy"
    assert cli("sample", "--decoder", str(out / "decoder"), "--num", "5",
               "--out", str(npy)).returncode == 0
    assert np.load(npy).shape == (5, 8, 8, 1)
    assert all(float(r["epoch_seconds"]) > 0 for r in rows)

    result = cli("evaluate", "--model", str(out / "model.keras"), "--dataset", "digits",
                 "--num-samples", "300", "--labels", "50", "all",
                 "--classifier-cache", str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["dataset"] == "digits"
    assert set(report["latent_probes"]) == {"50", "all"}
    assert np.isfinite(report["parzen"]["mean"])
    assert 0 <= report["sample_quality"]["label_entropy"] <= np.log(10) + 1e-6


def test_evaluate_corrupt_model_is_a_user_error(tmp_path):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = cli("evaluate", "--model", str(bad), "--dataset", "digits")
    assert result.returncode == 2
    lines = [l for l in result.stderr.splitlines() if l.startswith("keras-aae")]
    assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in result.stderr


def test_mnist_run_from_shared_data(tmp_path, mnist_dir):
    out = tmp_path / "mnist"
    result = cli("train", "--dataset", "mnist", "--data-dir", mnist_dir, "--epochs", "1",
                 "--latent-dim", "64", "--hidden", "256", "--out", str(out), "--verbose", "2",
                 timeout=600)
    assert result.returncode == 0, result.stderr
    with open(out / "history.csv") as f:
        row = next(csv.DictReader(f))
    assert float(row["reconstruction_loss"]) < 0.06
    assert 0.0 < float(row["discriminator_accuracy"]) < 1.0

    result = cli("evaluate", "--model", str(out / "model.keras"), "--dataset", "mnist",
                 "--data-dir", mnist_dir, "--num-samples", "2000", "--labels", "100",
                 "--no-parzen", "--anomaly-dataset", "fashion_mnist",
                 "--classifier-cache", str(tmp_path / "cache"), timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["reconstruction"]["mse"] < 0.06
    assert report["latent_probes"]["100"]["knn1"] > 0.5
    # Fashion images are far from digits: the reconstruction error says so.
    assert report["anomaly_auroc"]["reconstruction"] > 0.8


@pytest.mark.parametrize(
    "variant, extra, figure",
    [
        ("label_informed", ["--latent-dim", "2"], "own_component_rate"),
        ("supervised", [], None),
        ("semi_supervised", ["--num-labels", "100"], "test_error"),
        ("clustering", ["--num-classes", "16"], "clustering_error"),
        ("dimensionality_reduction", ["--latent-dim", "2", "--num-labels", "100"],
         "test_error"),
    ],
)
def test_train_each_variant_then_evaluate(tmp_path, variant, extra, figure):
    out = tmp_path / variant
    args = SMALL + ["--epochs", "2", "--batch-size", "64"] + extra
    result = cli("train", "--variant", variant, "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    for name in ("model.keras", "latent.png", "samples.png", "reconstructions.png"):
        assert (out / name).exists(), name
    assert (out / "styles.png").exists() == (variant == "supervised")
    decoder = tf.saved_model.load(str(out / "decoder")).signatures["serving_default"]
    sample = cli("sample", "--decoder", str(out / "decoder"), "--num", "4",
                 "--out", str(tmp_path / "s.npy"))
    assert sample.returncode == 0, sample.stderr
    assert np.load(tmp_path / "s.npy").shape == (4, 8, 8, 1)
    assert decoder.structured_input_signature[1]["codes"].shape[-1] > 0
    evaluated = cli("evaluate", "--model", str(out / "model.keras"), "--dataset",
                    "digits", "--no-parzen", "--labels", "100", "--num-samples", "500")
    if figure is None:  # the supervised decoder needs labels: a clear error
        assert evaluated.returncode == 2 and "decoder also reads labels" in evaluated.stderr
        return
    assert evaluated.returncode == 0, evaluated.stderr
    value = json.loads(evaluated.stdout.strip().splitlines()[-1])["variant"][figure]
    assert 0.0 <= value <= 1.0


def test_holdout_labels_then_anomaly_labels(tmp_path):
    out = tmp_path / "no_zeros"
    result = cli("train", "--out", str(out), "--holdout-labels", "0", "--epochs", "15",
                 "--batch-size", "64", *SMALL)
    assert result.returncode == 0, result.stderr
    evaluated = cli("evaluate", "--model", str(out / "model.keras"), "--dataset", "digits",
                    "--no-parzen", "--labels", "all", "--num-samples", "500",
                    "--anomaly-labels", "0")
    assert evaluated.returncode == 0, evaluated.stderr
    anomaly = json.loads(evaluated.stdout.strip().splitlines()[-1])["anomaly_auroc"]
    assert anomaly["held_out_labels"] == [0]
    # Zeros were never trained on: they reconstruct worse than the others.
    assert anomaly["reconstruction"] > 0.6, anomaly
