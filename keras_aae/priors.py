"""Prior distributions imposed on the latent code (paper section 2).

A prior is a small, serializable object that draws samples with
`keras.random`, so sampling works inside a compiled `train_step`. Every
prior is selectable by name through `keras_aae.priors.get`.

Example:

>>> import keras_aae
>>> prior = keras_aae.priors.get("gaussian", latent_dim=8)
>>> prior.sample(4, seed=0).shape
TensorShape([4, 8])
"""

import math

import keras
import numpy as np
from keras import ops

from keras_aae._validation import check_positive_int
from keras_aae._validation import check_positive_number

_PACKAGE = "keras_aae"


class Prior:
    """Base class of latent priors.

    Subclasses implement `sample`, and `get_config` when they take
    arguments beyond `latent_dim` and `seed`.

    Args:
        latent_dim: Positive int, the size of one latent code.
        seed: Optional int. Seeds the prior's own `keras.random.SeedGenerator`,
            used when `sample` is called without a `seed`.
    """

    def __init__(self, latent_dim, seed=None):
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise TypeError(
                f"`seed` must be an int or None. Received: seed={seed!r}"
            )
        self.seed = None if seed is None else int(seed)
        self._seed_generator = None

    def sample(self, num_samples, seed=None):
        """Draws `num_samples` latent codes.

        Args:
            num_samples: Number of codes; an int or a scalar tensor (the
                dynamic batch size inside `train_step`).
            seed: An int, a `keras.random.SeedGenerator`, or None to use the
                prior's own generator.

        Returns:
            A float32 tensor of shape `(num_samples, latent_dim)`.
        """
        return self._sample(num_samples, self._resolve_seed(seed))

    def _sample(self, num_samples, seed):
        raise NotImplementedError

    def log_prob(self, z):
        """Log density of codes under the prior (used for anomaly scores).

        Args:
            z: Array `(n, latent_dim)`.

        Returns:
            A float64 numpy array `(n,)`.

        Raises:
            NotImplementedError: For priors without a closed-form density;
                `keras_aae.evaluation.latent_log_density` then estimates it
                from prior draws.
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no closed-form log density."
        )

    def _resolve_seed(self, seed):
        if seed is not None:
            return seed
        if self._seed_generator is None:
            self._seed_generator = keras.random.SeedGenerator(self.seed)
        return self._seed_generator

    def get_config(self):
        """Returns the constructor arguments as a JSON-serializable dict."""
        return {"latent_dim": self.latent_dim, "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        """Creates a prior from the output of `get_config`."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class GaussianPrior(Prior):
    """Isotropic Gaussian prior, `N(mean, stddev^2 I)`.

    Args:
        latent_dim: Positive int, size of the code.
        stddev: Positive float, standard deviation of every dimension.
        mean: Float, mean of every dimension.
        seed: Optional int seed for standalone sampling.

    Example:

    >>> GaussianPrior(2, stddev=5.0).sample(3, seed=1).shape
    TensorShape([3, 2])
    """

    def __init__(self, latent_dim, stddev=1.0, mean=0.0, seed=None):
        super().__init__(latent_dim, seed=seed)
        self.stddev = check_positive_number(stddev, "stddev")
        self.mean = float(mean)

    def _sample(self, num_samples, seed):
        return keras.random.normal(
            (num_samples, self.latent_dim),
            mean=self.mean,
            stddev=self.stddev,
            seed=seed,
        )

    def log_prob(self, z):
        z = _codes(z, self.latent_dim)
        squared = np.sum(np.square((z - self.mean) / self.stddev), axis=1)
        return -0.5 * squared - self.latent_dim * (
            np.log(self.stddev) + 0.5 * np.log(2 * np.pi)
        )

    def get_config(self):
        return {
            **super().get_config(),
            "stddev": self.stddev,
            "mean": self.mean,
        }


@keras.saving.register_keras_serializable(package=_PACKAGE)
class UniformPrior(Prior):
    """Uniform prior on the box `[minval, maxval)^latent_dim`.

    Args:
        latent_dim: Positive int, size of the code.
        minval: Float, lower bound of every dimension.
        maxval: Float, upper bound, greater than `minval`.
        seed: Optional int seed for standalone sampling.

    Raises:
        ValueError: If `maxval <= minval`.
    """

    def __init__(self, latent_dim, minval=-1.0, maxval=1.0, seed=None):
        super().__init__(latent_dim, seed=seed)
        if not float(maxval) > float(minval):
            raise ValueError(
                "`maxval` must be greater than `minval`. "
                f"Received: minval={minval}, maxval={maxval}"
            )
        self.minval = float(minval)
        self.maxval = float(maxval)

    def _sample(self, num_samples, seed):
        return keras.random.uniform(
            (num_samples, self.latent_dim),
            minval=self.minval,
            maxval=self.maxval,
            seed=seed,
        )

    def log_prob(self, z):
        z = _codes(z, self.latent_dim)
        inside = np.all((z >= self.minval) & (z <= self.maxval), axis=1)
        density = -self.latent_dim * np.log(self.maxval - self.minval)
        return np.where(inside, density, -np.inf)

    def get_config(self):
        return {
            **super().get_config(),
            "minval": self.minval,
            "maxval": self.maxval,
        }


def _codes(z, latent_dim):
    z = np.asarray(z, dtype="float64")
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(
            f"Codes must have shape (n, {latent_dim}). Received: shape {z.shape}"
        )
    return z


def _component_labels(num_samples, num_components, seed):
    return keras.random.randint(
        (num_samples,), 0, num_components, seed=seed, dtype="int32"
    )


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MixtureOfGaussiansPrior(Prior):
    """Mixture of equally weighted Gaussians (paper section 2.3, figure 4).

    By default this is the paper's layout: `num_components` elongated
    Gaussians arranged radially around the origin in each consecutive pair
    of dimensions (so `latent_dim` must be even). Pass `means` (and
    `stddevs`) for a general mixture of axis-aligned Gaussians.

    Args:
        latent_dim: Positive int. Must be even for the radial layout.
        num_components: Positive int, number of components.
        radius: Distance of each radial component's centre from the origin.
        radial_stddev: Standard deviation along a component's radius.
        tangential_stddev: Standard deviation across it.
        means: Optional array `(num_components, latent_dim)`; selects the
            general, axis-aligned mixture.
        stddevs: Optional array broadcastable to `means`; defaults to ones.
        seed: Optional int seed for standalone sampling.

    Raises:
        ValueError: On shapes that do not fit `latent_dim`/`num_components`.

    Example:

    >>> MixtureOfGaussiansPrior(2, num_components=10).sample(5, seed=0).shape
    TensorShape([5, 2])
    """

    def __init__(
        self,
        latent_dim=2,
        num_components=10,
        radius=1.4,
        radial_stddev=0.5,
        tangential_stddev=0.1,
        means=None,
        stddevs=None,
        seed=None,
    ):
        super().__init__(latent_dim, seed=seed)
        self.num_components = check_positive_int(
            num_components, "num_components"
        )
        self.radius = float(radius)
        self.radial_stddev = check_positive_number(
            radial_stddev, "radial_stddev"
        )
        self.tangential_stddev = check_positive_number(
            tangential_stddev, "tangential_stddev"
        )
        self.means = None if means is None else self._check_means(means)
        self.stddevs = None
        if stddevs is not None:
            if self.means is None:
                raise ValueError(
                    "`stddevs` needs `means`. Received: stddevs given, means=None"
                )
            stddevs = np.broadcast_to(
                np.asarray(stddevs, dtype="float32"), self.means.shape
            )
            if np.any(stddevs <= 0):
                raise ValueError(
                    f"`stddevs` must be positive. Received: stddevs={stddevs.tolist()}"
                )
            self.stddevs = stddevs
        if self.means is None and latent_dim % 2:
            raise ValueError(
                "The radial mixture needs an even `latent_dim` (one radial "
                "layout per pair of dimensions); pass `means` for other sizes. "
                f"Received: latent_dim={latent_dim}"
            )

    def _check_means(self, means):
        means = np.asarray(means, dtype="float32")
        expected = (self.num_components, self.latent_dim)
        if means.shape != expected:
            raise ValueError(
                f"`means` must have shape {expected}. Received: means.shape="
                f"{means.shape}"
            )
        return means

    def component_means(self):
        """Returns the component centres as a `(K, latent_dim)` numpy array."""
        if self.means is not None:
            return self.means
        angles = (
            2 * np.pi * np.arange(self.num_components) / self.num_components
        )
        pair = np.stack([np.cos(angles), np.sin(angles)], axis=1) * self.radius
        return np.tile(pair, (1, self.latent_dim // 2)).astype("float32")

    def sample_components(self, labels, seed=None):
        """Draws one code from the given component of each row.

        Used by label-informed regularization (paper section 2.3), where the
        label of an example picks its mixture component.

        Args:
            labels: Int tensor `(n,)` of component indices.
            seed: An int, a `SeedGenerator`, or None.

        Returns:
            A float32 tensor `(n, latent_dim)`.
        """
        seed = self._resolve_seed(seed)
        labels = ops.cast(labels, "int32")
        n = ops.shape(labels)[0]
        noise = keras.random.normal((n, self.latent_dim), seed=seed)
        if self.means is not None:
            stddevs = (
                np.ones_like(self.means)
                if self.stddevs is None
                else self.stddevs
            )
            return ops.take(self.means, labels, axis=0) + noise * ops.take(
                stddevs, labels, axis=0
            )
        # Radial layout: an axis-aligned ellipse shifted along x, then rotated
        # to the component's angle, as in the paper's figure 4.
        angle = (
            2
            * math.pi
            * ops.cast(labels, "float32")
            / float(self.num_components)
        )
        cos, sin = ops.cos(angle)[:, None], ops.sin(angle)[:, None]
        noise = ops.reshape(noise, (n, self.latent_dim // 2, 2))
        x = noise[..., 0] * self.radial_stddev + self.radius
        y = noise[..., 1] * self.tangential_stddev
        rotated = ops.stack([x * cos - y * sin, x * sin + y * cos], axis=-1)
        return ops.reshape(rotated, (n, self.latent_dim))

    def _sample(self, num_samples, seed):
        labels = _component_labels(num_samples, self.num_components, seed)
        return self.sample_components(labels, seed=seed)

    def component_log_probs(self, z):
        """Log density of codes under each component, `(n, K)` float64."""
        z = _codes(z, self.latent_dim)
        if self.means is not None:
            stddevs = (
                np.ones_like(self.means)
                if self.stddevs is None
                else self.stddevs
            )
            scaled = (z[:, None, :] - self.means[None]) / stddevs[None]
            return (
                -0.5 * np.sum(np.square(scaled), axis=2)
                - np.sum(np.log(stddevs), axis=1)[None]
                - 0.5 * self.latent_dim * np.log(2 * np.pi)
            )
        # Undo each component's rotation, then score the axis-aligned ellipse.
        angles = (
            2 * np.pi * np.arange(self.num_components) / self.num_components
        )
        pairs = z.reshape(len(z), 1, self.latent_dim // 2, 2)
        cos, sin = np.cos(angles)[None, :, None], np.sin(angles)[None, :, None]
        along = pairs[..., 0] * cos + pairs[..., 1] * sin - self.radius
        across = -pairs[..., 0] * sin + pairs[..., 1] * cos
        squared = np.square(along / self.radial_stddev) + np.square(
            across / self.tangential_stddev
        )
        norm = np.log(2 * np.pi * self.radial_stddev * self.tangential_stddev)
        return np.sum(-0.5 * squared - norm, axis=2)

    def log_prob(self, z):
        per_component = self.component_log_probs(z)
        top = per_component.max(axis=1, keepdims=True)
        total = np.log(np.mean(np.exp(per_component - top), axis=1))
        return total + top[:, 0]

    def get_config(self):
        return {
            **super().get_config(),
            "num_components": self.num_components,
            "radius": self.radius,
            "radial_stddev": self.radial_stddev,
            "tangential_stddev": self.tangential_stddev,
            "means": None if self.means is None else self.means.tolist(),
            "stddevs": None if self.stddevs is None else self.stddevs.tolist(),
        }


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SwissRollPrior(Prior):
    """Two-dimensional swiss-roll prior (paper section 2.3, figure 4).

    The roll is cut into `num_components` consecutive segments, so a label
    can select a segment in label-informed regularization.

    Args:
        latent_dim: Must be 2.
        num_components: Positive int, the number of segments.
        scale: Outer radius of the roll.
        seed: Optional int seed for standalone sampling.

    Raises:
        ValueError: If `latent_dim != 2`.
    """

    def __init__(self, latent_dim=2, num_components=10, scale=3.0, seed=None):
        super().__init__(latent_dim, seed=seed)
        if latent_dim != 2:
            raise ValueError(
                f"The swiss roll is 2-D. Received: latent_dim={latent_dim}"
            )
        self.num_components = check_positive_int(
            num_components, "num_components"
        )
        self.scale = check_positive_number(scale, "scale")

    def sample_components(self, labels, seed=None):
        """Draws one point from the given segment of the roll for each label."""
        seed = self._resolve_seed(seed)
        labels = ops.cast(labels, "float32")
        u = keras.random.uniform(ops.shape(labels), seed=seed)
        position = ops.sqrt((u + labels) / float(self.num_components))
        radius = position * self.scale
        angle = position * 4.0 * math.pi
        return ops.stack([radius * ops.cos(angle), radius * ops.sin(angle)], 1)

    def _sample(self, num_samples, seed):
        labels = _component_labels(num_samples, self.num_components, seed)
        return self.sample_components(labels, seed=seed)

    def get_config(self):
        return {
            **super().get_config(),
            "num_components": self.num_components,
            "scale": self.scale,
        }


@keras.saving.register_keras_serializable(package=_PACKAGE)
class CategoricalPrior(Prior):
    """One-hot categorical prior (paper sections 5 and 6).

    Args:
        latent_dim: Positive int, the number of categories.
        seed: Optional int seed for standalone sampling.
    """

    def _sample(self, num_samples, seed):
        labels = _component_labels(num_samples, self.latent_dim, seed)
        return ops.one_hot(labels, self.latent_dim)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ConcatenatedPrior(Prior):
    """Independent priors side by side; a code is their draws concatenated.

    The paper's semi-supervised and clustering models (sections 5 and 6)
    impose a categorical prior on `y` and a Gaussian on the style `z`, and
    the decoder reads `(y, z)`: this is the distribution of that input.

    Args:
        priors: A non-empty list of priors (or names with their sizes
            already fixed, e.g. config dicts).
        seed: Optional int seed for standalone sampling.

    Raises:
        ValueError: If `priors` is empty.

    Example:

    >>> prior = ConcatenatedPrior([CategoricalPrior(10), GaussianPrior(5)])
    >>> prior.sample(3, seed=0).shape
    TensorShape([3, 15])
    """

    def __init__(self, priors, seed=None, latent_dim=None):
        if not isinstance(priors, (list, tuple)) or not priors:
            raise ValueError(
                f"`priors` must be a non-empty list of priors. Received: priors={priors!r}"
            )
        priors = [get(p) for p in priors]
        size = sum(p.latent_dim for p in priors)
        if latent_dim is not None and latent_dim != size:
            raise ValueError(
                f"`latent_dim` must be the sum of the priors' sizes ({size}). "
                f"Received: latent_dim={latent_dim}"
            )
        super().__init__(size, seed=seed)
        self.priors = priors

    def _sample(self, num_samples, seed):
        return ops.concatenate(
            [
                ops.cast(p.sample(num_samples, seed=seed), "float32")
                for p in self.priors
            ],
            axis=1,
        )

    def log_prob(self, z):
        z = _codes(z, self.latent_dim)
        total, start = np.zeros(len(z)), 0
        for prior in self.priors:
            total += prior.log_prob(z[:, start : start + prior.latent_dim])
            start += prior.latent_dim
        return total

    def get_config(self):
        return {
            **super().get_config(),
            "priors": [
                keras.saving.serialize_keras_object(p) for p in self.priors
            ],
        }


_PRIORS = {
    "gaussian": GaussianPrior,
    "normal": GaussianPrior,
    "uniform": UniformPrior,
    "mixture": MixtureOfGaussiansPrior,
    "mixture_of_gaussians": MixtureOfGaussiansPrior,
    "swiss_roll": SwissRollPrior,
    "categorical": CategoricalPrior,
}


def prior_scale(prior):
    """The prior's average per-dimension standard deviation.

    Measured on 4,096 draws with a fixed seed, so the same prior always
    gives the same value (instance noise is given in these units).

    Example:

    >>> round(prior_scale(GaussianPrior(2, stddev=3.0)), 1)
    3.0
    """
    draws = np.asarray(prior.sample(4096, seed=0))
    return float(np.mean(np.std(draws, axis=0)))


def names():
    """Returns the names `get` accepts."""
    return sorted(_PRIORS)


def get(identifier, **kwargs):
    """Returns a prior from a name, a config dict or a `Prior`.

    Args:
        identifier: A `Prior` (returned as is), a name from `names()`, or a
            dict produced by `keras.saving.serialize_keras_object`.
        **kwargs: Constructor arguments when `identifier` is a name.

    Returns:
        A `Prior`.

    Raises:
        ValueError: If the name is unknown.
        TypeError: If `identifier` is of another type.

    Example:

    >>> get("uniform", latent_dim=3)
    UniformPrior(latent_dim=3, seed=None, minval=-1.0, maxval=1.0)
    """
    if isinstance(identifier, Prior):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str):
        key = identifier.lower().replace("-", "_")
        if key not in _PRIORS:
            raise ValueError(
                f"Unknown prior. Expected one of {names()}. "
                f"Received: prior={identifier!r}"
            )
        return _PRIORS[key](**kwargs)
    raise TypeError(
        "`prior` must be a Prior, a name or a config dict. "
        f"Received: prior={identifier!r} of type {type(identifier).__name__}"
    )
