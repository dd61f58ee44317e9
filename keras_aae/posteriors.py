"""The encoder's posterior q(z|x): the three choices of paper section 2.1.

The adversarial game matches the *aggregated* posterior q(z) to the prior;
section 2.1 lists three ways for the encoder to define q(z|x):

- `DeterministicPosterior`: z = f(x). All the randomness of q(z) comes from
  the data; codes can lie on a thin manifold of the code space.
- `GaussianPosterior`: the encoder outputs a mean and a log-variance per code
  entry, z = mean + exp(log_var / 2) * eps (the reparametrization trick). The
  discriminator sees these samples, so the encoder can fill the space between
  examples with noise. No KL term: the adversarial loss is the regularizer.
- `UniversalPosterior`: z = f(x, eta) with eta random noise, here Gaussian
  noise added to the encoder's input (the form the paper's appendix uses for
  its semi-supervised networks). q(z|x) can take any shape.

At inference (`model.encode`, the exported encoder) the code of `x` is the
posterior's mean for the Gaussian, and f(x) without noise for the others.

A posterior is a small serializable object; it draws no random numbers
itself: the model draws uniforms outside the XLA-compiled phases
(`keras_aae.models.draws`) and hands the posterior standard Gaussian numbers.

Example:

>>> import keras_aae
>>> posterior = keras_aae.posteriors.get("gaussian")
>>> posterior.outputs_per_dim
2
"""

import keras
from keras import ops

from keras_aae._validation import check_non_negative_number
from keras_aae._validation import check_positive_number

_PACKAGE = "keras_aae"

# exp(log_var / 2) of the Gaussian posterior is clipped into exp([-8, 4] / 2)
# (standard deviations 0.018 to 7.4): early in training an unbounded
# log-variance can overflow the exponential.
_LOG_VAR_RANGE = (-8.0, 4.0)


class Posterior:
    """Base class: how the encoder's outputs become codes.

    Attributes:
        outputs_per_dim: Encoder outputs per code entry (1, or 2 for a
            mean and a log-variance).
    """

    outputs_per_dim = 1

    def mean(self, outputs):
        """The codes at inference: the posterior's location."""
        return outputs

    def input_noise_shape(self, input_shape):
        """Per-example shape of the Gaussian noise added to the encoder's
        input in training, or None."""
        return None

    def code_noise_shape(self, latent_dim):
        """Per-example shape of the Gaussian noise that `sample` reads, or
        None."""
        return None

    def perturb_input(self, x, normals):
        """The encoder's input in training, given standard Gaussians."""
        return x

    def sample(self, outputs, normals):
        """Codes drawn from q(z|x) in training, given standard Gaussians."""
        return outputs

    def training_codes(self, encode, x, input_normals=None, code_normals=None):
        """Codes of `x` drawn from q(z|x).

        Args:
            encode: The encoder, a function of a batch of inputs.
            x: A batch of inputs.
            input_normals: Standard Gaussians of `input_noise_shape`, or
                None (no noise on the input).
            code_normals: Standard Gaussians of `code_noise_shape`, or None
                (the codes are the mean).

        Returns:
            The codes.
        """
        if input_normals is not None:
            x = self.perturb_input(x, input_normals)
        outputs = encode(x)
        if code_normals is None:
            return self.mean(outputs)
        return self.sample(outputs, code_normals)

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Builds the posterior from `get_config`'s dict."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class DeterministicPosterior(Posterior):
    """z = f(x): the encoder's output is the code (paper section 2.1).

    Example:

    >>> DeterministicPosterior().outputs_per_dim
    1
    """


@keras.saving.register_keras_serializable(package=_PACKAGE)
class GaussianPosterior(Posterior):
    """z ~ N(mean(x), diag(exp(log_var(x)))), mean and log-variance learned.

    The encoder's output has `2 * latent_dim` entries: the means, then the
    log-variances (paper section 2.1, "Gaussian posterior"). Training codes
    are drawn by the reparametrization trick, so both the reconstruction
    and the adversarial gradients reach the variance.

    Without a KL term nothing stops the reconstruction loss from shrinking
    the variance towards zero, which leaves q(z|x) deterministic in effect.
    `min_stddev` keeps a floor under it: the standard deviation of a code
    entry is `sqrt(min_stddev**2 + exp(log_var))`.

    Args:
        min_stddev: Non-negative float, the floor of the posterior's
            standard deviation, in the code's units (0: none).

    Raises:
        ValueError: If `min_stddev` is negative.

    Example:

    >>> import numpy as np
    >>> posterior = GaussianPosterior()
    >>> outputs = np.zeros((2, 6), "float32")  # 3-D codes
    >>> posterior.mean(outputs).shape
    (2, 3)
    """

    outputs_per_dim = 2

    def __init__(self, min_stddev=0.0):
        self.min_stddev = check_non_negative_number(min_stddev, "min_stddev")

    def _split(self, outputs):
        size = ops.shape(outputs)[-1] // 2
        return outputs[..., :size], outputs[..., size:]

    def mean(self, outputs):
        return self._split(outputs)[0]

    def code_noise_shape(self, latent_dim):
        return (latent_dim,)

    def sample(self, outputs, normals):
        mean, log_var = self._split(outputs)
        variance = ops.exp(ops.clip(log_var, *_LOG_VAR_RANGE))
        if self.min_stddev:
            variance = variance + self.min_stddev**2
        return mean + ops.sqrt(variance) * normals

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {"min_stddev": self.min_stddev}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class UniversalPosterior(Posterior):
    """z = f(x + eta), eta ~ N(0, input_noise^2): a universal approximator
    posterior (paper section 2.1), its noise on the encoder's input.

    Args:
        input_noise: Positive float, standard deviation of the noise, in
            the input's units (the paper's networks used 0.3 on MNIST
            pixels in [0, 1]).

    Raises:
        ValueError: If `input_noise` is not positive.

    Example:

    >>> UniversalPosterior(input_noise=0.3).input_noise
    0.3
    """

    def __init__(self, input_noise=0.3):
        self.input_noise = check_positive_number(input_noise, "input_noise")

    def input_noise_shape(self, input_shape):
        return tuple(input_shape)

    def perturb_input(self, x, normals):
        return x + ops.cast(self.input_noise * normals, x.dtype)

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {"input_noise": self.input_noise}


_POSTERIORS = {
    "deterministic": DeterministicPosterior,
    "gaussian": GaussianPosterior,
    "universal": UniversalPosterior,
}


def names():
    """Returns the names `get` accepts."""
    return sorted(_POSTERIORS)


def get(identifier):
    """Returns a posterior from a name, a config dict or a `Posterior`.

    Args:
        identifier: A `Posterior` (returned as is), a name from `names()`,
            or a dict produced by `keras.saving.serialize_keras_object`.

    Returns:
        A `Posterior`.

    Raises:
        ValueError: If the name is unknown.
        TypeError: If `identifier` is of another type.

    Example:

    >>> get("universal")
    UniversalPosterior(input_noise=0.3)
    """
    if isinstance(identifier, Posterior):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _POSTERIORS:
            raise ValueError(
                f"Unknown posterior. Expected one of {names()}. "
                f"Received: posterior={identifier!r}"
            )
        return _POSTERIORS[key]()
    raise TypeError(
        "`posterior` must be a Posterior, a name or a config dict. "
        "Received: "
        f"posterior={identifier!r} of type {type(identifier).__name__}"
    )
