"""Tests of keras_aae.scores"""

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import rng
from keras_aae import scores


def _codes_and_errors(n=600, seed=0):
    generator = rng(seed)
    centres = np.array([[-3.0, 0.0], [3.0, 0.0]])
    codes = centres[generator.integers(0, 2, n)] + generator.normal(size=(n, 2))
    errors = generator.uniform(0.01, 0.03, n)
    return codes, errors


@pytest.mark.parametrize("name", sorted(scores.SCORES))
def test_fitted_scores_round_trip_exactly(name):
    codes, errors = _codes_and_errors()
    score = scores.get(name).fit(codes, errors)
    score.calibrate(codes[:100], errors[:100], quantile=0.9)
    restored = assert_config_round_trip(score)
    assert restored.threshold == score.threshold
    np.testing.assert_array_equal(
        np.asarray(restored(codes, errors)), np.asarray(score(codes, errors))
    )


def test_code_density_is_the_mixture_of_scikit_learn():
    codes, errors = _codes_and_errors()
    score = scores.CodeDensityScore(components=2).fit(codes, errors)
    mixture = GaussianMixture(
        2, covariance_type="full", reg_covar=1e-4, random_state=0
    ).fit(codes)
    np.testing.assert_allclose(
        np.asarray(score(codes, errors)),
        -mixture.score_samples(codes),
        rtol=1e-4,
        atol=1e-4,
    )
    # A code between the two clusters lies where no training code does,
    # though a single Gaussian would call it typical.
    between, centre = np.asarray(score([[0.0, 0.0], [3.0, 0.0]], [0.0, 0.0]))
    assert between > centre + 2


def test_combined_score_standardizes_both_parts_on_the_training_images():
    codes, errors = _codes_and_errors()
    score = scores.CombinedScore(code_weight=1.0).fit(codes, errors)
    values = np.asarray(score(codes, errors))
    # The mean of two standardized parts is 0; their sum's spread is at
    # most twice one part's.
    assert abs(values.mean()) < 1e-3
    assert 0.5 < values.std() <= 2.0 + 1e-6
    worse = np.asarray(score(codes[:5], errors[:5] * 10))
    assert np.all(worse > values[:5])


def test_calibrate_flags_about_the_quantile_of_held_out_images():
    codes, errors = _codes_and_errors(2000)
    score = scores.get("combined").fit(codes[:1000], errors[:1000])
    score.calibrate(codes[1000:], errors[1000:], quantile=0.95)
    flagged = np.asarray(score(codes[1000:], errors[1000:])) > score.threshold
    assert 0.04 <= flagged.mean() <= 0.06
    assert score.quantile == 0.95


def test_bad_arguments_are_named():
    codes, errors = _codes_and_errors()
    with pytest.raises(ValueError) as error:
        scores.get("latent")
    assert_clear(error, "latent")
    with pytest.raises(ValueError) as error:
        scores.ReconstructionScore().calibrate(codes, errors, quantile=1.5)
    assert_clear(error, "quantile=1.5")
    with pytest.raises(ValueError, match="not fitted"):
        scores.CodeDensityScore()(codes, errors)
    with pytest.raises(ValueError) as error:
        scores.CodeDensityScore().fit(codes, errors[:3])
    assert_clear(error, "errors of shape (3,)")
    with pytest.raises(TypeError):
        scores.get(3)
