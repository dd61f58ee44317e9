"""Tests of keras_aae.priors"""

import keras
import numpy as np
import pytest

from helpers import assert_config_round_trip
from keras_aae import priors

ALL = [
    priors.GaussianPrior(3, stddev=2.0),
    priors.UniformPrior(3, minval=-2.0, maxval=1.0),
    priors.MixtureOfGaussiansPrior(2, num_components=10),
    priors.MixtureOfGaussiansPrior(4, num_components=3, means=np.eye(3, 4) * 5),
    priors.SwissRollPrior(),
    priors.CategoricalPrior(5),
]


@pytest.mark.parametrize("prior", ALL, ids=lambda p: type(p).__name__)
def test_shape_dtype_and_seeds(prior):
    a = np.asarray(prior.sample(50, seed=1))
    b = np.asarray(prior.sample(50, seed=1))
    c = np.asarray(prior.sample(50, seed=2))
    assert a.shape == (50, prior.latent_dim)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("prior", ALL, ids=lambda p: type(p).__name__)
def test_config_round_trip(prior):
    restored = assert_config_round_trip(prior)
    np.testing.assert_array_equal(
        np.asarray(restored.sample(20, seed=3)),
        np.asarray(prior.sample(20, seed=3)),
    )


def test_own_generator_advances_between_calls():
    prior = priors.GaussianPrior(2, seed=7)
    first, second = np.asarray(prior.sample(10)), np.asarray(prior.sample(10))
    assert not np.array_equal(first, second)
    again = priors.GaussianPrior(2, seed=7)
    np.testing.assert_array_equal(np.asarray(again.sample(10)), first)


def test_gaussian_moments():
    z = np.asarray(
        priors.GaussianPrior(4, stddev=5.0, mean=1.0).sample(20000, seed=0)
    )
    np.testing.assert_allclose(z.mean(0), 1.0, atol=0.15)
    np.testing.assert_allclose(z.std(0), 5.0, rtol=0.03)


def test_uniform_bounds():
    z = np.asarray(priors.UniformPrior(3, -2.0, 1.0).sample(5000, seed=0))
    assert z.min() >= -2.0 and z.max() < 1.0
    assert z.min() < -1.9 and z.max() > 0.9


def test_mixture_components_sit_at_their_means():
    prior = priors.MixtureOfGaussiansPrior(2, num_components=10)
    means = prior.component_means()
    labels = np.repeat(np.arange(10), 500)
    z = np.asarray(prior.sample_components(labels, seed=0))
    centres = np.stack([z[labels == k].mean(0) for k in range(10)])
    np.testing.assert_allclose(centres, means, atol=0.1)
    # The paper's components are distinct: nearest centre recovers the label.
    nearest = np.argmin(((z[:, None] - means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == labels) > 0.8


def test_swiss_roll_segments_grow_outward():
    prior = priors.SwissRollPrior(num_components=10)
    radii = [
        np.linalg.norm(
            np.asarray(prior.sample_components(np.full(200, k), seed=k)), axis=1
        ).mean()
        for k in range(10)
    ]
    assert np.all(np.diff(radii) > 0)


def test_categorical_is_one_hot_and_balanced():
    z = np.asarray(priors.CategoricalPrior(4).sample(8000, seed=0))
    np.testing.assert_array_equal(z.sum(1), 1.0)
    assert set(np.unique(z)) == {0.0, 1.0}
    np.testing.assert_allclose(z.mean(0), 0.25, atol=0.03)


def test_get_by_name():
    assert isinstance(
        priors.get("gaussian", latent_dim=2), priors.GaussianPrior
    )
    assert isinstance(priors.get("swiss-roll"), priors.SwissRollPrior)
    assert isinstance(
        priors.get("categorical", latent_dim=3), priors.CategoricalPrior
    )
    prior = priors.UniformPrior(2)
    assert priors.get(prior) is prior


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: priors.get("cauchy", latent_dim=2),
            ValueError,
            "prior='cauchy'",
        ),
        (lambda: priors.get(3), TypeError, "prior=3"),
        (lambda: priors.GaussianPrior(-3), ValueError, "latent_dim=-3"),
        (lambda: priors.GaussianPrior(2.5), TypeError, "latent_dim=2.5"),
        (lambda: priors.GaussianPrior(2, stddev=0), ValueError, "stddev=0"),
        (lambda: priors.UniformPrior(2, 1.0, 1.0), ValueError, "maxval=1.0"),
        (lambda: priors.SwissRollPrior(3), ValueError, "latent_dim=3"),
        (lambda: priors.MixtureOfGaussiansPrior(3), ValueError, "latent_dim=3"),
        (
            lambda: priors.MixtureOfGaussiansPrior(
                2, 3, means=np.zeros((2, 2))
            ),
            ValueError,
            "means.shape=(2, 2)",
        ),
        (lambda: priors.GaussianPrior(2, seed="x"), TypeError, "seed='x'"),
    ],
)
def test_bad_arguments_name_the_value(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)


def test_concatenated_prior_samples_scores_and_round_trips():
    prior = priors.ConcatenatedPrior(
        [priors.CategoricalPrior(3), priors.GaussianPrior(2)]
    )
    z = np.asarray(prior.sample(500, seed=0))
    assert z.shape == (500, 5)
    np.testing.assert_array_equal(z[:, :3].sum(axis=1), 1.0)
    restored = priors.get(keras.saving.serialize_keras_object(prior))
    assert isinstance(restored, priors.ConcatenatedPrior)
    np.testing.assert_array_equal(
        np.asarray(restored.sample(4, seed=1)),
        np.asarray(prior.sample(4, seed=1)),
    )
    gaussian = priors.GaussianPrior(2)
    both = priors.ConcatenatedPrior([gaussian, priors.GaussianPrior(1)])
    zz = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(
        both.log_prob(zz),
        gaussian.log_prob(zz[:, :2])
        + priors.GaussianPrior(1).log_prob(zz[:, 2:]),
    )
    with pytest.raises(ValueError, match="non-empty list"):
        priors.ConcatenatedPrior([])
