"""Tests of `keras-aae train --images/--classes` and `keras-aae score`."""

import csv
import os

import numpy as np
import tensorflow as tf

from helpers import SMALL_RUN
from helpers import call_cli
from keras_aae import data


def _png_folder(folder, images, names):
    os.makedirs(folder, exist_ok=True)
    for image, name in zip(images, names, strict=True):
        pixels = np.round(image * 255).astype(np.uint8)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(tf.io.encode_png(pixels).numpy())


def test_a_folder_trains_and_new_images_get_scores(tmp_path):
    x, y = data.load_arrays("digits", "train")
    zeros = x[y == 0]
    _png_folder(
        tmp_path / "normal", zeros[:120], [f"{i}.png" for i in range(120)]
    )
    new = np.concatenate([zeros[120:140], x[y == 1][:20]])
    names = [f"zero{i}.png" for i in range(20)] + [
        f"one{i}.png" for i in range(20)
    ]
    _png_folder(tmp_path / "new", new, names)
    out = tmp_path / "run"
    args = ["--latent-dim", "4", "--hidden", "32", "--epochs", "30"]
    result = call_cli(
        "train", "--images", str(tmp_path / "normal"), *args,
        "--batch-size", "32", "--quantile", "0.9", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "threshold" in result.stdout
    scores = tmp_path / "scores.csv"
    result = call_cli(
        "score", "--model", str(out), "--images", str(tmp_path / "new"),
        "--out", str(scores),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Scored 40 images" in result.stderr
    with open(scores) as f:
        rows = list(csv.DictReader(f))
    assert [r["image"].split("/")[-1] for r in rows] == sorted(names)
    flagged = {r["image"].split("/")[-1][:3]: 0 for r in rows}
    for r in rows:
        flagged[r["image"].split("/")[-1][:3]] += int(r["anomalous"])
    # Ones were never seen: far more of them are flagged than zeros.
    assert flagged["one"] >= 15 and flagged["zer"] <= 8, flagged
    # The run's SavedModel scores them the same without keras-aae.
    served = tf.saved_model.load(str(out / "saved_model"))
    pictures = data.load_image_folder(tmp_path / "new").images
    scored = served.signatures["score"](images=tf.constant(pictures))
    np.testing.assert_allclose(
        scored["scores"].numpy(),
        [float(r["score"]) for r in rows],
        rtol=1e-4,
        atol=1e-4,
    )
    assert scored["anomalous"].numpy().astype(int).tolist() == [
        int(r["anomalous"]) for r in rows
    ]


def test_score_refuses_what_it_cannot_score_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = call_cli(
        "train", *SMALL_RUN, "--epochs", "1", "--classes", "3",
        "--variant", "supervised", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    scores = tmp_path / "scores.csv"
    result = call_cli(
        "score", "--model", str(out), "--dataset", "digits",
        "--out", str(scores),
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot score images alone" in result.stderr
    assert not scores.exists()
    (tmp_path / "empty").mkdir()
    result = call_cli(
        "train", "--images", str(tmp_path / "empty"), "--out", str(out / "x")
    )
    assert result.returncode == 2 and "holds no PNG" in result.stderr
    result = call_cli(
        "train", *SMALL_RUN, "--classes", "12", "--out", str(out / "y")
    )
    assert result.returncode == 2 and "No training image has the classes" in (
        result.stderr
    )


def test_a_model_without_a_stored_threshold_needs_one(tmp_path):
    from helpers import make_model

    x, _ = data.load_arrays("digits", "train")
    model = make_model(latent_dim=2, hidden=(16,))
    model.fit_anomaly_score(x[:200])  # no held-out images: no threshold
    model.save(tmp_path / "model.keras")
    scores = tmp_path / "scores.csv"
    args = ["score", "--model", str(tmp_path), "--dataset", "digits"]
    result = call_cli(*args, "--out", str(scores))
    assert result.returncode == 2
    assert "no stored anomaly threshold" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not scores.exists()
    result = call_cli(*args, "--threshold", "1.5", "--out", str(scores))
    assert result.returncode == 0, result.stderr
    with open(scores) as f:
        rows = list(csv.DictReader(f))
    assert all(
        (float(r["score"]) > 1.5) == (r["anomalous"] == "1") for r in rows
    )
    assert {r["label"] for r in rows} <= {str(i) for i in range(10)}
