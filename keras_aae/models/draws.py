"""`PartDraws`: a code part's random numbers for one training step.

A step of the unsupervised model with five discriminator steps draws, per
image and code entry, five prior samples, five pairs of instance noise and
the generator's noise: about 130,000 Gaussian numbers for a batch of 128
64-D codes. On a 2-core CPU, TensorFlow's Gaussian sampler (Box-Muller,
one scalar at a time) took about 15 ns a number single-threaded, and the
draws a fifth of the step (benchmarks/README.md). So:

- the numbers are drawn as uniforms (`keras.random.uniform`, a third of the
  cost), outside the XLA-compiled phases, whose own random number generator
  is far slower on a CPU;
- the phases turn them into Gaussians by the inverse CDF, which XLA
  vectorizes and fuses into the additions that use them;
- a Gaussian prior's sample plus Gaussian instance noise is drawn as one
  Gaussian of the summed variance, the same distribution from one number
  instead of two.

Example:

>>> # samples, uniforms = draw(part, steps, batch_size, prior_draws, seed)
>>> # inside the phases:
>>> # draws = PartDraws(part, steps, samples, uniforms)
>>> # z_real, z_fake = draws.real(step), draws.fake(codes, step)
"""

import math

import keras
from keras import ops

from keras_aae import priors as priors_lib

# Uniforms on the grid k / 2^23 (`keras.random.uniform`'s float32
# resolution) shifted by half a step: symmetric about 1/2 and never 0 or 1,
# whose inverse CDF is infinite.
_HALF_STEP = 2.0**-24


def draws_gaussian_in_phases(part):
    """Whether `part`'s prior samples are drawn in the phases, from uniforms
    (its prior is a `GaussianPrior`), rather than by `prior.sample`."""
    return type(part.prior) is priors_lib.GaussianPrior


def draw(part, steps, batch_size, prior_draws, seed):
    """The random numbers of `part` for one step, drawn in one pass.

    Args:
        part: The `CodePart`.
        steps: Number of discriminator steps in the step.
        batch_size: Number of codes in the batch.
        prior_draws: Function of a number of samples returning that many
            prior samples of the part (the model's `_prior_draws`); not
            called when the prior is Gaussian.
        seed: The model's `keras.random.SeedGenerator`.

    Returns:
        `(samples, uniforms)`: prior samples `(steps, batch_size, size)` or
        None when the prior is Gaussian; uniforms `(rows, batch_size, size)`
        in (0, 1) or None when nothing else is random. The rows are the
        real side's (`steps`, for a Gaussian prior or instance noise), then,
        with instance noise, the codes' (`steps`) and the generator's (1).
    """
    samples = None
    if not draws_gaussian_in_phases(part):
        samples = ops.reshape(
            prior_draws(steps * batch_size), (steps, batch_size, part.size)
        )
    rows = 0
    if part.noise_stddev or samples is None:
        rows += steps
    if part.noise_stddev:
        rows += steps + 1
    if not rows:
        return samples, None
    return samples, _uniforms((rows, batch_size, part.size), seed)


def draw_step(parts, steps, batch_size, prior_draws, seed):
    """`draw` for each of `parts`; returns two lists, `(samples,
    uniforms)`, with one entry per part. `prior_draws(part, n)` gives `n`
    prior samples of a part."""
    results = [
        draw(part, steps, batch_size, lambda n, p=part: prior_draws(p, n), seed)
        for part in parts
    ]
    return [r[0] for r in results], [r[1] for r in results]


def _uniforms(shape, seed):
    return keras.random.uniform(
        shape, minval=_HALF_STEP, maxval=1.0 + _HALF_STEP, seed=seed
    )


def posterior_uniforms(posterior, batch_size, input_shape, latent_dim, seed):
    """The uniforms a posterior's training codes need for one step.

    Args:
        posterior: The model's `keras_aae.posteriors.Posterior`.
        batch_size: Number of examples in the batch.
        input_shape: Shape of one example.
        latent_dim: Size of a code.
        seed: The model's `keras.random.SeedGenerator`.

    Returns:
        `(input_uniforms, code_uniforms)`: uniforms in (0, 1) for the noise
        on the encoder's input and on the codes, each None when the
        posterior adds none (`standard_normal` turns them Gaussian).
    """
    shapes = (
        posterior.input_noise_shape(input_shape),
        posterior.code_noise_shape(latent_dim),
    )
    return tuple(
        None if shape is None else _uniforms((batch_size,) + shape, seed)
        for shape in shapes
    )


def draw_all(parts, steps, x, prior_draws, posterior, latent_dim, seed):
    """All random numbers of one training step, in one pass.

    Each `keras.random` call costs tens of microseconds on a CPU, and XLA's
    CPU random number generator is an order of magnitude slower than
    TensorFlow's: the model draws here, outside its XLA-compiled phases.

    Args:
        parts: The model's regularized `CodePart`s.
        steps: Number of discriminator steps in the step.
        x: The batch of inputs.
        prior_draws: `prior_draws(part, n)` gives `n` prior samples of a part.
        posterior: The model's `keras_aae.posteriors.Posterior`.
        latent_dim: Size of a code.
        seed: The model's `keras.random.SeedGenerator`.

    Returns:
        A dict: `samples` and `uniforms`, `draw_step`'s lists (one entry per
        part), and `posterior`, the `posterior_uniforms` pair.
    """
    batch_size = ops.shape(x)[0]
    samples, uniforms = draw_step(parts, steps, batch_size, prior_draws, seed)
    return {
        "samples": samples,
        "uniforms": uniforms,
        "posterior": posterior_uniforms(
            posterior, batch_size, tuple(x.shape[1:]), latent_dim, seed
        ),
    }


def standard_normals(uniforms):
    """`standard_normal` of each of `uniforms`, None staying None."""
    return [None if u is None else standard_normal(u) for u in uniforms]


def part_draws(parts, steps, samples, uniforms):
    """The `PartDraws` of each of `parts`, from `draw_step`'s lists."""
    return [
        PartDraws(part, steps, s, u)
        for part, s, u in zip(parts, samples, uniforms, strict=True)
    ]


def standard_normal(uniforms):
    """Standard Gaussian numbers from uniforms in (0, 1): the inverse CDF."""
    return math.sqrt(2.0) * ops.erfinv(2.0 * uniforms - 1.0)


class PartDraws:
    """A part's random numbers for one step, as the phases use them.

    Args:
        part: The `CodePart`.
        steps: Number of discriminator steps in the step.
        samples: The prior samples of `draw`, or None.
        uniforms: The uniforms of `draw`, or None.

    Example:

    >>> # draws = PartDraws(part, 5, samples, uniforms)
    >>> # loss = part.discriminator_loss(draws.real(0), draws.fake(z, 0), ...)
    """

    def __init__(self, part, steps, samples, uniforms):
        self.part = part
        self.steps = steps
        self.samples = samples
        self.normals = None if uniforms is None else standard_normal(uniforms)

    def _noise(self, row, stddev):
        return stddev * self.normals[row]

    def real(self, step):
        """Discriminator step `step`'s prior samples, with instance noise."""
        noise = self.part.noise_stddev
        if self.samples is None:
            prior = self.part.prior
            stddev = math.sqrt(prior.stddev**2 + noise**2)
            return prior.mean + self._noise(step, stddev)
        if not noise:
            return self.samples[step]
        return self.samples[step] + self._noise(step, noise)

    def fake(self, z, step):
        """Discriminator step `step`'s codes `z`, with instance noise."""
        if not self.part.noise_stddev:
            return z
        return z + self._noise(self.steps + step, self.part.noise_stddev)

    def generator(self, z):
        """The generator step's codes `z`, with instance noise."""
        if not self.part.noise_stddev:
            return z
        return z + self._noise(2 * self.steps, self.part.noise_stddev)
