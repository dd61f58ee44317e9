"""Tests of keras_aae.models.anomaly: scores fitted, kept, served."""

import keras
import numpy as np
import pytest

from helpers import build_variant
from helpers import rng
from keras_aae import evaluation
from keras_aae import scores


def test_fitted_score_ranks_noise_and_survives_saving(
    trained_digits_model, digits_splits, tmp_path
):
    (x, _), (x_test, _) = digits_splits
    model = trained_digits_model
    try:
        _check_fitted_score(model, x, x_test, tmp_path)
    finally:  # the fixture is shared: leave it as it was
        model.anomaly_score = None


def _check_fitted_score(model, x, x_test, tmp_path):
    score = model.fit_anomaly_score(x, held_out=x_test, quantile=0.9)
    assert isinstance(score, scores.CombinedScore)
    noise = rng().random(x_test.shape).astype("float32")
    assert model.is_anomalous(noise).mean() > 0.9
    assert 0.05 <= model.is_anomalous(x_test).mean() <= 0.15
    assert (
        evaluation.auroc(
            model.score_anomalies(x_test), model.score_anomalies(noise)
        )
        > 0.95
    )
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.anomaly_score.get_config() == score.get_config()
    np.testing.assert_allclose(
        loaded.score_anomalies(x_test[:50]),
        model.score_anomalies(x_test[:50]),
        atol=1e-5,
    )


def test_scoring_needs_a_fitted_score_and_images_alone(digits_splits):
    (x, y), _ = digits_splits
    model = build_variant("unsupervised", latent_dim=2)
    with pytest.raises(ValueError, match="fit_anomaly_score"):
        model.score_anomalies(x[:4])
    model.fit_anomaly_score(x[:200])
    with pytest.raises(ValueError, match="threshold"):
        model.is_anomalous(x[:4])
    supervised = build_variant("supervised", latent_dim=2)
    assert not supervised.scores_anomalies
    with pytest.raises(TypeError, match="label"):
        supervised.fit_anomaly_score(x[:200])
