"""Tests of keras_aae.cli.train"""

import csv
import json

import numpy as np
import tensorflow as tf

from helpers import SMALL_RUN
from helpers import call_cli
from helpers import run_cli


def test_missing_mnist_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    result = call_cli(
        "train", "--out", str(tmp_path / "o"), "--data-dir", str(tmp_path)
    )
    assert result.returncode == 2
    assert "TFDS_DATA_DIR" in result.stderr and "Traceback" not in result.stderr


def test_train_writes_everything_then_sample(tmp_path):
    out = tmp_path / "run"
    result = run_cli(
        "train",
        *SMALL_RUN,
        "--epochs",
        "2",
        "--out",
        str(out),
        "--tensorboard",
        str(tmp_path / "logs"),
        "--verbose",
        "2",
    )
    assert result.returncode == 0, result.stderr
    # Keras' UserWarnings (e.g. "`shuffle=True` was passed") are not shown.
    assert "Warning" not in result.stderr, result.stderr
    for name in (
        "run.json",
        "model.keras",
        "decoder",
        "encoder",
        "saved_model",
        "history.csv",
        "samples.png",
        "reconstructions.png",
        "latent.png",
        "curves.png",
    ):
        assert (out / name).exists(), name
    for name in ("latent.png", "curves.png"):  # matplotlib figures, RGBA
        assert tf.io.decode_png(tf.io.read_file(str(out / name))).shape[-1] in (
            3,
            4,
        )
    _check_tensorboard_logs(tmp_path / "logs")
    # The backup stays: rerunning the command then only rewrites the outputs.
    assert (out / "backup" / "latest").is_dir()
    with open(out / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert "discriminator_accuracy" in rows[0]

    grid = tmp_path / "grid.png"
    result = call_cli(
        "sample",
        "--decoder",
        str(out / "decoder"),
        "--num",
        "9",
        "--out",
        str(grid),
    )
    assert result.returncode == 0, result.stderr
    # 3x3 digits of 8x8 enlarged 4x, one pixel between them.
    assert tf.io.decode_png(tf.io.read_file(str(grid))).shape == (98, 98, 1)
    npy = tmp_path / "s.npy"
    assert (
        call_cli(
            "sample",
            "--decoder",
            str(out / "decoder"),
            "--num",
            "5",
            "--out",
            str(npy),
        ).returncode
        == 0
    )
    assert np.load(npy).shape == (5, 8, 8, 1)
    assert all(float(r["epoch_seconds"]) > 0 for r in rows)

    result = call_cli(
        "evaluate",
        "--model",
        str(out / "model.keras"),
        "--dataset",
        "digits",
        "--num-samples",
        "300",
        "--labels",
        "50",
        "all",
        "--classifier-cache",
        str(tmp_path / "cache"),
    )
    assert result.returncode == 0, result.stderr
    # Progress on standard error; standard output is the JSON object alone.
    assert "Parzen window" in result.stderr and "image" in result.stderr
    assert "Latent probes" in result.stderr
    (line,) = result.stdout.strip().splitlines()
    report = json.loads(line)
    assert report["dataset"] == "digits"
    assert set(report["latent_probes"]) == {"50", "all"}
    assert np.isfinite(report["parzen"]["mean"])
    assert 0 <= report["sample_quality"]["label_entropy"] <= np.log(10) + 1e-6


def _check_tensorboard_logs(logs):
    """Scalars and sample grids as events, test codes for the projector."""
    events = [p.name for p in logs.rglob("events.out.tfevents.*")]
    assert events, list(logs.rglob("*"))
    config = (logs / "projector_config.pbtxt").read_text()
    assert "metadata.tsv" in config and "sprite.png" in config
    labels = (logs / "metadata.tsv").read_text().split()
    # digits' test split: 297 images, labels 0-9.
    assert len(labels) == 297 and set(labels) == set(map(str, range(10)))
    reader = tf.train.load_checkpoint(str(logs))
    codes = reader.get_tensor("embedding/.ATTRIBUTES/VARIABLE_VALUE")
    assert codes.shape[0] == 297 and np.isfinite(codes).all()
    sprite = tf.io.decode_png(tf.io.read_file(str(logs / "sprite.png")))
    assert sprite.shape == (18 * 8, 18 * 8, 1)  # 8x8 digits, square


def test_mnist_run_from_shared_data(tmp_path, mnist_dir):
    out = tmp_path / "mnist"
    result = call_cli(
        "train",
        "--dataset",
        "mnist",
        "--data-dir",
        mnist_dir,
        "--epochs",
        "1",
        "--latent-dim",
        "64",
        "--hidden",
        "256",
        "--out",
        str(out),
        "--verbose",
        "2",
    )
    assert result.returncode == 0, result.stderr
    with open(out / "history.csv") as f:
        row = next(csv.DictReader(f))
    assert float(row["reconstruction_loss"]) < 0.06
    assert 0.0 < float(row["discriminator_accuracy"]) < 1.0

    result = call_cli(
        "evaluate",
        "--model",
        str(out / "model.keras"),
        "--dataset",
        "mnist",
        "--data-dir",
        mnist_dir,
        "--num-samples",
        "2000",
        "--labels",
        "100",
        "--no-parzen",
        # The judge's CNN has its own test (tests/evaluation/test_judge.py);
        # training it on all of MNIST took two thirds of this test.
        "--no-sample-quality",
        "--anomaly-dataset",
        "fashion_mnist",
        "--classifier-cache",
        str(tmp_path / "cache"),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "sample_quality" not in report and "parzen" not in report
    assert not (tmp_path / "cache").exists()  # no judge was trained
    assert report["reconstruction"]["mse"] < 0.06
    assert report["latent_probes"]["100"]["knn1"] > 0.5
    # Fashion images are far from digits: the reconstruction error says so.
    assert report["anomaly_auroc"]["reconstruction"] > 0.8


def test_resuming_with_other_model_or_data_arguments_is_refused(tmp_path):
    out = tmp_path / "run"
    first = ["train", *SMALL_RUN, "--epochs", "1", "--out", str(out)]
    assert call_cli(*first, "--verbose", "0").returncode == 0
    with open(out / "run.json") as f:
        recorded = json.load(f)
    assert recorded["arguments"]["latent_dim"] == 4
    assert recorded["arguments"]["hidden"] == [32]
    model = (out / "model.keras").read_bytes()

    for changed in (
        ["--latent-dim", "3"],
        ["--batch-size", "64"],
        ["--posterior", "gaussian"],
        ["--discriminator-noise", "1.0"],
    ):
        result = call_cli(*first, *changed)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("keras-aae: error:")
        assert changed[0] in lines[0] and "another --out" in lines[0]
        assert (out / "model.keras").read_bytes() == model


def test_train_with_a_gaussian_posterior_exports_a_sampling_encoder(tmp_path):
    out = tmp_path / "run"
    result = call_cli(
        "train", *SMALL_RUN, "--epochs", "1", "--posterior", "gaussian",
        "--verbose", "0", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with open(out / "run.json") as f:
        assert json.load(f)["arguments"]["posterior"] == "gaussian"
    encoder = tf.saved_model.load(str(out / "encoder"))
    assert set(encoder.signatures) == {"serving_default", "sample"}
    x = tf.zeros((3, 8, 8, 1))
    means = encoder.signatures["serving_default"](images=x)["codes"]
    draws = encoder.signatures["sample"](
        images=x, seed=tf.constant(0, tf.int64)
    )["codes"]
    assert means.shape == draws.shape == (3, 4)
    assert not np.allclose(means.numpy(), draws.numpy())


def test_train_with_a_recipe_records_it_and_builds_its_model(tmp_path):
    import keras_aae

    out = tmp_path / "run"
    result = call_cli(
        "train", "--recipe", "paper_semi_supervised", "--dataset", "digits",
        "--hidden", "32", "--num-labels", "20", "--epochs", "1",
        "--verbose", "0", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with open(out / "run.json") as f:
        recorded = json.load(f)["arguments"]
    assert recorded["recipe"] == "paper_semi_supervised"
    assert recorded["variant"] == "semi_supervised"
    assert (recorded["hidden"], recorded["num_labels"]) == ([32], 20)
    model = keras_aae.load_model(str(out / "model.keras"))
    assert isinstance(
        model, keras_aae.models.SemiSupervisedAdversarialAutoencoder
    )
    assert model.discriminator_steps == 1
    assert model.posterior.get_config()["input_noise"] == 0.3
    config = model.reconstruction_optimizer.get_config()
    assert config["name"].lower().startswith("sgd"), config
    assert config["momentum"] == 0.9


def test_the_sample_adversary_is_on_by_default_and_zero_turns_it_off(tmp_path):
    import keras_aae

    for weight, expected in ((None, 0.02), ("0", None)):
        out = tmp_path / f"run{weight}"
        flags = [] if weight is None else ["--sample-adversary", weight]
        result = call_cli(
            "train", *SMALL_RUN, "--epochs", "1", "--verbose", "0",
            "--out", str(out), *flags,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        model = keras_aae.load_model(str(out / "model.keras"))
        with open(out / "history.csv") as f:
            columns = next(csv.reader(f))
        if expected is None:
            assert model.sample_adversary is None
            assert "sample_generator_loss" not in columns
        else:
            assert model.sample_adversary.weight == expected
            assert "sample_generator_loss" in columns
