"""Consistency of the class posterior under small shifts, beyond the paper.

The semi-supervised AAE (section 5) learns `q(y|x)` from a few labeled
images; its classification phase fits them within an epoch and the
unlabeled images then teach it only through the categorical adversary
(`benchmarks/README.md`, issue 30). `ShiftConsistency` adds what
consistency-regularized classifiers (the Pi-model, Laine and Aila 2017;
VAT, Miyato et al. 2018) add: the encoder's `q(y|x)` of an image shifted by
a few pixels and perturbed by Gaussian noise is pulled towards its
`q(y|x)` of the image itself, on every image of the batch, labeled or not;
and the labeled images' cross-entropy is read on their shifted copies, so
the few labels are not memorized pixel by pixel.
"""

import keras
from keras import ops

from keras_aae._validation import check_non_negative_number

_EPSILON = 1e-7


def _check_shift(max_shift):
    if (
        isinstance(max_shift, bool)
        or not isinstance(max_shift, int)
        or max_shift < 0
    ):
        raise ValueError(
            "`max_shift` must be a non-negative int (pixels). Received: "
            f"max_shift={max_shift!r}"
        )
    return max_shift


@keras.saving.register_keras_serializable(package="keras_aae")
class ShiftConsistency:
    """Consistency of `q(y|x)` under shifts and noise (an option of
    `SemiSupervisedAdversarialAutoencoder`, beyond the paper).

    Each image is shifted by a whole number of pixels, up to `max_shift`
    in each direction (drawn per image; the border that enters is zeros,
    as MNIST's border is), and gets Gaussian noise of standard deviation
    `noise`. The classification phase then adds `weight` times the mean
    KL divergence from `q(y|x)` of the images (held fixed) to `q(y|x)` of
    their perturbed copies, and, with `labeled=True`, reads the labeled
    images' cross-entropy on the perturbed copies.

    Args:
        weight: Non-negative float, the weight of the divergence.
        max_shift: Non-negative int, the largest shift in pixels.
        noise: Non-negative float, the standard deviation of the noise.
        labeled: Whether the labeled images' cross-entropy reads their
            perturbed copies.

    Raises:
        ValueError: On a negative weight, shift or noise.

    Example:

    >>> consistency = ShiftConsistency(weight=1.0, max_shift=2)
    >>> # SemiSupervisedAdversarialAutoencoder(..., consistency=consistency)
    """

    def __init__(self, weight=1.0, max_shift=2, noise=0.3, labeled=True):
        self.weight = check_non_negative_number(weight, "weight")
        self.max_shift = _check_shift(max_shift)
        self.noise = check_non_negative_number(noise, "noise")
        self.labeled = bool(labeled)

    @property
    def num_shifts(self):
        """How many shifts a draw chooses from (`(2 * max_shift + 1)**2`)."""
        return (2 * self.max_shift + 1) ** 2

    def draws(self, x, seed_generator):
        """One step's random numbers: a shift per image and the noise.

        Args:
            x: The batch of images `(n, height, width, channels)`.
            seed_generator: The model's `keras.random.SeedGenerator`.

        Returns:
            A dict of `shifts` (int indices `(n,)`) and `normals`
            (standard normals shaped like `x`).
        """
        return {
            "shifts": keras.random.randint(
                (ops.shape(x)[0],), 0, self.num_shifts, seed=seed_generator
            ),
            "normals": keras.random.normal(ops.shape(x), seed=seed_generator),
        }

    def perturb(self, x, draws):
        """`x` shifted and noised as `draws` (from `draws`) say."""
        x = ops.cast(x, "float32")
        span = 2 * self.max_shift + 1
        rows = ops.cast(draws["shifts"] // span - self.max_shift, "int32")
        cols = ops.cast(draws["shifts"] % span - self.max_shift, "int32")
        shifted = _shift_images(x, rows, cols)
        return shifted + self.noise * ops.cast(draws["normals"], "float32")

    def divergence(self, clean, perturbed):
        """Mean KL divergence from `clean` (held fixed) to `perturbed`
        class probabilities, both `(n, num_classes)`."""
        target = ops.stop_gradient(clean)
        kl = ops.sum(
            target
            * (ops.log(target + _EPSILON) - ops.log(perturbed + _EPSILON)),
            axis=-1,
        )
        return self.weight * ops.mean(kl)

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {
            "weight": self.weight,
            "max_shift": self.max_shift,
            "noise": self.noise,
            "labeled": self.labeled,
        }

    @classmethod
    def from_config(cls, config):
        """Creates the option from the output of `get_config`."""
        return cls(**config)

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"ShiftConsistency({settings})"


def _shift_images(x, rows, cols):
    """Shifts each image of `x` by its own `rows` and `cols` (int tensors
    `(n,)`), filling with zeros: one gather over padded images."""
    height, width = x.shape[1], x.shape[2]
    pad = max(height, width)
    padded = ops.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
    row_index = ops.arange(height, dtype="int32")[None, :] + pad - rows[:, None]
    col_index = ops.arange(width, dtype="int32")[None, :] + pad - cols[:, None]
    picked = ops.take_along_axis(padded, row_index[:, :, None, None], axis=1)
    return ops.take_along_axis(picked, col_index[:, None, :, None], axis=2)


def get(identifier):
    """Returns a consistency option from None, a config dict or an object.

    Args:
        identifier: None (no consistency), a `ShiftConsistency`, or a dict
            produced by `keras.saving.serialize_keras_object`.

    Returns:
        A `ShiftConsistency` or None.

    Raises:
        TypeError: If `identifier` is of another type.

    Example:

    >>> get(None) is None
    True
    """
    if identifier is None or isinstance(identifier, ShiftConsistency):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    raise TypeError(
        "`consistency` must be a ShiftConsistency, its config dict or None. "
        f"Received: consistency={identifier!r} of type "
        f"{type(identifier).__name__}"
    )
