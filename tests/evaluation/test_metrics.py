"""Each metric on cases whose answer is known."""

import keras
import numpy as np
import pytest

from helpers import blobs
from helpers import rng
from keras_aae import evaluation
from keras_aae import priors


def test_perfect_reconstruction_has_zero_error():
    images = (rng().random((20, 8, 8, 1)) > 0.5).astype("float32")
    errors = evaluation.reconstruction_errors(images, images)
    assert errors["mse"] == 0.0
    assert errors["bce"] < 1e-4  # binary images: only the clipping epsilon


def test_reconstruction_errors_known_values():
    images = np.full((2, 4), 0.5)
    errors = evaluation.reconstruction_errors(images, np.full((2, 4), 0.25))
    assert errors["mse"] == pytest.approx(0.0625)
    # BCE per image = 4 pixels * -(0.5 log .25 + 0.5 log .75).
    assert errors["bce"] == pytest.approx(
        4 * -(0.5 * np.log(0.25) + 0.5 * np.log(0.75))
    )


def test_reconstruction_errors_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        evaluation.reconstruction_errors(np.zeros((2, 4)), np.zeros((2, 5)))


def test_mmd_identical_distributions_near_floor_shifted_not():
    generator = rng()
    prior, reference = (
        generator.normal(size=(1000, 8)),
        generator.normal(size=(1000, 8)),
    )
    matching, shifted = (
        generator.normal(size=(1000, 8)),
        generator.normal(size=(1000, 8)) + 0.5,
    )
    result = evaluation.prior_match(matching, prior, reference)
    assert abs(result["mmd"] - result["mmd_floor"]) < 0.005
    bad = evaluation.prior_match(shifted, prior, reference)
    assert bad["mmd"] > 10 * max(abs(result["mmd_floor"]), 1e-3)
    assert bad["moment_gap"] == pytest.approx(0.5, abs=0.1)
    assert result["moment_gap"] < 0.15 and result["moment_gap_floor"] < 0.15


def test_mmd_rejects_mismatched_widths():
    with pytest.raises(ValueError, match="one width"):
        evaluation.mmd(np.zeros((3, 2)), np.zeros((3, 4)))


def test_parzen_single_kernel_matches_formula():
    sample, image = np.zeros((1, 3)), np.array([[1.0, 2.0, 2.0]])  # distance 3
    sigma = 0.5
    expected = -9 / (2 * sigma**2) - 1.5 * np.log(2 * np.pi * sigma**2)
    got = evaluation.parzen_log_likelihood(sample, image, sigma)
    assert got[0] == pytest.approx(expected)


def test_parzen_on_training_data_beats_parzen_on_noise(digits_splits):
    (x_train, _), (x_test, _) = digits_splits
    noise = rng().random(x_train.shape).astype("float32")
    validation, test = x_test[:100], x_test[100:]
    real = evaluation.parzen_evaluation(x_train, validation, test)
    fake = evaluation.parzen_evaluation(noise, validation, test)
    assert real["mean"] > fake["mean"] + 10
    assert real["sigma"] in evaluation.PARZEN_SIGMAS
    assert real["stderr"] > 0
    # The chosen sigma is the validation argmax.
    best = max(real["validation_by_sigma"], key=real["validation_by_sigma"].get)
    assert float(best) == pytest.approx(real["sigma"], rel=1e-3)


def test_probes_separate_well_separated_classes_and_not_random_labels():
    codes, labels = blobs()
    test_codes, test_labels = codes + 0.01, labels
    assert (
        evaluation.knn_accuracy(codes, labels, test_codes, test_labels, k=3)
        == 1.0
    )
    assert (
        evaluation.logistic_regression_accuracy(
            codes, labels, test_codes, test_labels
        )
        == 1.0
    )
    shuffled = rng(2).permutation(labels)
    assert (
        evaluation.knn_accuracy(codes, shuffled, test_codes, test_labels) < 0.5
    )


def test_latent_probes_reports_each_budget():
    codes, labels = blobs(n_per_class=30)
    result = evaluation.latent_probes(
        codes, labels, codes, labels, num_labels=(8, None)
    )
    assert set(result) == {"8", "all"}
    assert result["all"]["knn1"] == 1.0


def test_permuted_clustering_scores_full_after_matching():
    labels = rng().integers(0, 10, size=500)
    permutation = rng(1).permutation(10)
    assert evaluation.hungarian_accuracy(permutation[labels], labels) == 1.0
    assert evaluation.clustering_accuracy(permutation[labels], labels) == 1.0
    random = rng(2).integers(0, 10, size=500)
    assert evaluation.hungarian_accuracy(random, labels) < 0.3


def test_confident_example_rule_with_more_clusters_than_classes():
    labels = np.repeat(np.arange(3), 4)
    clusters = np.arange(12) // 2  # 6 clusters, two per class
    probs = np.eye(6)[clusters]
    assert (
        evaluation.clustering_accuracy(clusters, labels, probs, labels) == 1.0
    )
    with pytest.raises(ValueError, match="paper's rule"):
        evaluation.clustering_accuracy(clusters, labels)


def test_frechet_distance_zero_for_same_features_and_mean_shift_squared():
    features = rng().normal(size=(2000, 4))
    assert evaluation.frechet_distance(features, features) == pytest.approx(
        0, abs=1e-6
    )
    shifted = features + np.array([1.0, 0, 0, 0])
    assert evaluation.frechet_distance(features, shifted) == pytest.approx(
        1.0, abs=1e-4
    )


def test_label_histogram_entropy_extremes():
    assert evaluation.label_histogram_entropy(np.zeros(100, int)) == 0.0
    uniform = np.repeat(np.arange(10), 10)
    assert evaluation.label_histogram_entropy(uniform) == pytest.approx(
        np.log(10)
    )


def test_auroc_extremes():
    assert evaluation.auroc([0, 1, 2], [3, 4]) == 1.0
    assert evaluation.auroc([3, 4], [0, 1, 2]) == 0.0
    same = rng().normal(size=2000)
    assert evaluation.auroc(same[:1000], same[1000:]) == pytest.approx(
        0.5, abs=0.05
    )


def test_gaussian_log_density_matches_formula():
    prior = priors.GaussianPrior(3, stddev=2.0)
    z = np.array([[0.0, 0, 0], [2.0, 0, 0]])
    base = -3 * np.log(2.0) - 1.5 * np.log(2 * np.pi)
    np.testing.assert_allclose(
        evaluation.latent_log_density(prior, z), [base, base - 0.5]
    )


@pytest.mark.parametrize(
    "prior",
    [
        priors.MixtureOfGaussiansPrior(2, num_components=10),
        priors.MixtureOfGaussiansPrior(
            2, num_components=3, means=[[0, 0], [2, 2], [-3, 1]]
        ),
        priors.UniformPrior(2, minval=-1, maxval=1),
        priors.SwissRollPrior(2),
    ],
)
def test_latent_density_integrates_to_one(prior):
    # A Riemann sum over a grid covering the prior's support, in cells of
    # 0.1 (the swiss roll's density is a kernel estimate on 10,000 draws:
    # 0.05 cells made it 13 s of evaluations, with the same sum).
    grid = np.linspace(-6, 6, 120, endpoint=False) + 0.05  # cell centres
    xx, yy = np.meshgrid(grid, grid)
    z = np.stack([xx.ravel(), yy.ravel()], axis=1)
    density = np.exp(evaluation.latent_log_density(prior, z))
    assert density.sum() * (grid[1] - grid[0]) ** 2 == pytest.approx(
        1.0, abs=0.05
    )


def test_swiss_roll_segments_recover_the_sampled_segments():
    prior = priors.SwissRollPrior(num_components=10, scale=3.0, seed=0)
    labels = np.arange(2000) % 10
    points = keras.ops.convert_to_numpy(prior.sample_components(labels, seed=1))
    found = evaluation.swiss_roll_segments(points, 10, 3.0)
    # Only points drawn within a grid step of a segment's end may flip.
    assert np.mean(found == labels) > 0.99
    with pytest.raises(ValueError, match="shape"):
        evaluation.swiss_roll_segments(np.zeros((3, 3)), 10, 3.0)
