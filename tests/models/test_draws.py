"""Tests of keras_aae.models.draws: one step's random numbers."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from keras_aae import priors
from keras_aae.models import CodePart
from keras_aae.models import draws

STEPS, BATCH, SIZE = 3, 4000, 2


def _part(prior, noise):
    return CodePart(0, SIZE, None, prior, noise)


def _draws(part, seed=0):
    samples, uniforms = draws.draw(
        part,
        STEPS,
        BATCH,
        lambda n: part.prior.sample(n, seed=seed + 1),
        keras.random.SeedGenerator(seed),
    )
    return draws.PartDraws(part, STEPS, samples, uniforms)


def _normal_p_value(values, mean, stddev):
    values = np.asarray(values).ravel()
    return stats.kstest(values, "norm", args=(mean, stddev)).pvalue


@pytest.mark.parametrize("noise", [0.0, 1.5])
def test_gaussian_prior_samples_with_noise_have_the_summed_variance(noise):
    prior = priors.GaussianPrior(SIZE, stddev=2.0, mean=1.0)
    part_draws = _draws(_part(prior, noise))
    # Drawn from uniforms in the phases, not by `prior.sample`.
    assert part_draws.samples is None
    expected = np.sqrt(2.0**2 + noise**2)
    for step in range(STEPS):
        real = part_draws.real(step)
        assert real.shape == (BATCH, SIZE)
        assert _normal_p_value(real, 1.0, expected) > 1e-3
    # Another step's draws are other numbers.
    assert not np.allclose(part_draws.real(0), part_draws.real(1))


def test_codes_get_fresh_noise_each_step_and_for_the_generator():
    part_draws = _draws(_part(priors.GaussianPrior(SIZE), 0.5))
    z = np.full((BATCH, SIZE), 3.0, dtype="float32")
    noises = [part_draws.fake(z, s) - z for s in range(STEPS)]
    noises.append(part_draws.generator(z) - z)
    for noise in noises:
        assert _normal_p_value(noise, 0.0, 0.5) > 1e-3
    flat = np.stack([np.asarray(n).ravel() for n in noises])
    correlations = np.corrcoef(flat)[np.triu_indices(len(noises), 1)]
    assert np.max(np.abs(correlations)) < 0.05


def test_other_priors_are_sampled_and_blurred():
    prior = priors.UniformPrior(SIZE, minval=-1.0, maxval=1.0)
    part_draws = _draws(_part(prior, 0.0))
    real = np.asarray(part_draws.real(0))
    np.testing.assert_array_equal(real, np.asarray(part_draws.samples[0]))
    assert real.min() >= -1.0 and real.max() <= 1.0
    assert part_draws.fake(np.zeros((BATCH, SIZE)), 0) is not None

    blurred = _draws(_part(prior, 0.3))
    noise = np.asarray(blurred.real(1)) - np.asarray(blurred.samples[1])
    assert _normal_p_value(noise, 0.0, 0.3) > 1e-3


def test_without_noise_a_non_gaussian_part_draws_no_uniforms():
    samples, uniforms = draws.draw(
        _part(priors.UniformPrior(SIZE), 0.0),
        STEPS,
        8,
        lambda n: tf.zeros((n, SIZE)),
        keras.random.SeedGenerator(0),
    )
    assert samples.shape == (STEPS, 8, SIZE) and uniforms is None


def test_uniforms_never_reach_zero_or_one():
    u = keras.random.uniform(
        (1 << 20,),
        minval=draws._HALF_STEP,
        maxval=1.0 + draws._HALF_STEP,
        seed=keras.random.SeedGenerator(1),
    )
    normals = np.asarray(draws.standard_normal(u))
    assert np.all(np.isfinite(normals))
    assert _normal_p_value(normals, 0.0, 1.0) > 1e-3
