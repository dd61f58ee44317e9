"""Anomaly scores: how unlike the training images an image is.

An autoencoder trained on normal images reconstructs them well and encodes
them where the training codes lie; an anomaly does worse on one or both. A
score maps an image's code and its reconstruction error to a number, higher
meaning more anomalous. Scores are small serializable objects: they are
fitted on the training images' codes and errors after training, saved in
the model's config (`AdversarialAutoencoder.fit_anomaly_score`), and computed
with `keras.ops`, so the exported SavedModel's `score` signature computes
the same numbers without keras-aae.

Why not the prior's density: the adversarial regularization (paper section
2) pulls every code towards the prior, and images unlike the training set
land near the prior's mode: minus the prior's log density ranked anomalies
as *more* normal (mean one-class AUROC 21.5 on MNIST). A density fitted to
the training codes themselves (a Gaussian mixture, as GPND fits one to its
codes) sees that they fill the prior unevenly (benchmarks/README.md, "Anomaly
scores").

Example:

>>> import numpy as np
>>> from keras_aae import scores
>>> rng = np.random.default_rng(0)
>>> codes, errors = rng.normal(size=(500, 2)), rng.uniform(0.01, 0.02, 500)
>>> score = scores.get("combined").fit(codes, errors)
>>> score.calibrate(codes, errors, quantile=0.95).threshold > 0
True
"""

import math

import keras
import numpy as np
from keras import ops

from keras_aae._validation import check_non_negative_number
from keras_aae._validation import check_option
from keras_aae._validation import check_positive_int

_PACKAGE = "keras_aae"
DEFAULT_QUANTILE = 0.99


def _check_quantile(quantile):
    if (
        isinstance(quantile, bool)
        or not isinstance(quantile, (int, float, np.number))
        or not 0 < quantile < 1
    ):
        raise ValueError(
            f"`quantile` must be a number in (0, 1). Received: "
            f"quantile={quantile!r}"
        )
    return float(quantile)


def _float_list(values):
    """A JSON-ready nested list of Python floats (exact in a config)."""
    return np.asarray(values, dtype=np.float64).tolist()


class AnomalyScore:
    """Base class of anomaly scores of `(codes, errors)`.

    `codes` are the posterior-mean codes `(n, latent_dim)`; `errors` the
    per-image mean squared reconstruction errors `(n,)`. Subclasses implement
    `_fit` (from the training images' codes and errors) and `_score`.

    Args:
        threshold: Optional float: a score above it is `anomalous`
            (`calibrate` sets it from held-out normal images).
        quantile: Optional float, the quantile `threshold` came from.
    """

    def __init__(self, threshold=None, quantile=None):
        self.threshold = None if threshold is None else float(threshold)
        self.quantile = None if quantile is None else float(quantile)

    @property
    def fitted(self):
        """Whether `fit` has run (or the state came from a config)."""
        return True

    def fit(self, codes, errors):
        """Fits the score's state on normal images' codes and errors.

        Args:
            codes: Array `(n, latent_dim)`.
            errors: Array `(n,)` of per-image reconstruction errors.

        Returns:
            `self`.
        """
        codes, errors = self._check_inputs(codes, errors)
        self._fit(codes, errors)
        return self

    def _fit(self, codes, errors):
        pass

    def calibrate(self, codes, errors, quantile=DEFAULT_QUANTILE):
        """Sets `threshold` to the `quantile` of held-out normal images'
        scores: about `1 - quantile` of normal images are then `anomalous`.

        Returns:
            `self`.

        Raises:
            ValueError: If `quantile` is not in (0, 1).
        """
        quantile = _check_quantile(quantile)
        scored = np.asarray(self(codes, errors))
        self.threshold = float(np.quantile(scored, quantile))
        self.quantile = quantile
        return self

    def __call__(self, codes, errors):
        """The scores `(n,)`, float32, higher meaning more anomalous."""
        if not self.fitted:
            raise ValueError(
                f"{type(self).__name__} is not fitted: call `fit` with the "
                "training images' codes and errors first."
            )
        codes = ops.cast(ops.convert_to_tensor(codes), "float32")
        errors = ops.cast(ops.convert_to_tensor(errors), "float32")
        return self._score(codes, errors)

    def _score(self, codes, errors):
        raise NotImplementedError

    @staticmethod
    def _check_inputs(codes, errors):
        codes = np.asarray(codes, dtype=np.float64)
        errors = np.asarray(errors, dtype=np.float64)
        if codes.ndim != 2 or errors.shape != codes.shape[:1]:
            raise ValueError(
                "Expected codes `(n, latent_dim)` and errors `(n,)`. "
                f"Received: codes of shape {codes.shape}, errors of shape "
                f"{errors.shape}"
            )
        if len(codes) < 2:
            raise ValueError(
                f"Fitting a score needs at least 2 images. Received: "
                f"{len(codes)}"
            )
        return codes, errors

    def get_config(self):
        """Returns the constructor arguments (and fitted state), JSON-ready."""
        return {"threshold": self.threshold, "quantile": self.quantile}

    @classmethod
    def from_config(cls, config):
        """Creates the score from the output of `get_config`."""
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}(threshold={self.threshold!r})"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ReconstructionScore(AnomalyScore):
    """The per-image mean squared reconstruction error.

    The score of the seeds' anomaly detection: an autoencoder trained on
    normal images reconstructs anomalies worse.

    Example:

    >>> ReconstructionScore()([[0.0]], [0.5]).numpy().tolist()
    [0.5]
    """

    def _score(self, codes, errors):
        return errors


@keras.saving.register_keras_serializable(package=_PACKAGE)
class CodeDensityScore(AnomalyScore):
    """Minus the log density of the code under a Gaussian mixture fitted to
    the training images' codes (scikit-learn's `GaussianMixture`, full
    covariances).

    Args:
        components: Positive int, mixture components; fewer are used when
            there are fewer than 20 training codes per component.
        regularization: Non-negative float added to each covariance's
            diagonal (keeps the density finite on codes near a collapsed
            direction).
        seed: Int seed of the mixture's initialization.
        weights, means, precision_cholesky: The fitted state (None before
            `fit`; a config restores them).
        threshold, quantile: As for `AnomalyScore`.

    Example:

    >>> import numpy as np
    >>> codes = np.random.default_rng(0).normal(size=(400, 2))
    >>> score = CodeDensityScore(components=2).fit(codes, np.zeros(400))
    >>> bool(score([[0.0, 0.0]], [0.0])[0] < score([[9.0, 9.0]], [0.0])[0])
    True
    """

    def __init__(
        self,
        components=40,
        regularization=1e-4,
        seed=0,
        weights=None,
        means=None,
        precision_cholesky=None,
        threshold=None,
        quantile=None,
    ):
        super().__init__(threshold=threshold, quantile=quantile)
        self.components = check_positive_int(components, "components")
        self.regularization = check_non_negative_number(
            regularization, "regularization"
        )
        self.seed = int(seed)
        self.weights = weights
        self.means = means
        self.precision_cholesky = precision_cholesky

    @property
    def fitted(self):
        return self.means is not None

    def _fit(self, codes, errors):
        from sklearn.mixture import GaussianMixture

        components = max(1, min(self.components, len(codes) // 20))
        mixture = GaussianMixture(
            components,
            covariance_type="full",
            reg_covar=self.regularization,
            random_state=self.seed,
        ).fit(codes)
        self.weights = _float_list(mixture.weights_)
        self.means = _float_list(mixture.means_)
        self.precision_cholesky = _float_list(mixture.precisions_cholesky_)

    def _score(self, codes, errors):
        means = ops.convert_to_tensor(np.asarray(self.means, np.float32))
        cholesky = ops.convert_to_tensor(
            np.asarray(self.precision_cholesky, np.float32)
        )
        # log N(z; mu_k, P_k^-1) = sum log diag(L_k) - |(z - mu_k) L_k|^2 / 2
        # - d/2 log 2 pi, with P_k = L_k L_k^T (scikit-learn's convention).
        centered = codes[:, None, :] - means[None]
        projected = ops.einsum("nkd,kde->nke", centered, cholesky)
        log_det = np.sum(
            np.log(np.diagonal(np.asarray(self.precision_cholesky), 0, 1, 2)),
            axis=1,
        )
        dim = means.shape[-1]
        constant = 0.5 * dim * math.log(2 * math.pi)
        log_components = np.log(np.asarray(self.weights)) + log_det - constant
        log_components = log_components.astype(np.float32)
        log_density = ops.logsumexp(
            log_components[None] - 0.5 * ops.sum(ops.square(projected), -1),
            axis=1,
        )
        return -log_density

    def get_config(self):
        return {
            "components": self.components,
            "regularization": self.regularization,
            "seed": self.seed,
            "weights": self.weights,
            "means": self.means,
            "precision_cholesky": self.precision_cholesky,
            **super().get_config(),
        }


@keras.saving.register_keras_serializable(package=_PACKAGE)
class CombinedScore(AnomalyScore):
    """Reconstruction and code density together: the standardized log
    reconstruction error plus `code_weight` times the standardized code
    score, each standardized by its mean and standard deviation on the
    training images.

    The two disagree where it helps: a digit the decoder draws well but
    encodes where no training code lies, or the reverse
    (benchmarks/README.md, "Anomaly scores").

    Args:
        code_weight: Non-negative float, the code score's weight.
        density: A `CodeDensityScore` (or its config); default one of 40
            components.
        statistics: The fitted `[error mean, error std, code mean, code
            std]` (None before `fit`).
        threshold, quantile: As for `AnomalyScore`.

    Example:

    >>> # model.fit_anomaly_score(x_train, held_out=x_val, score="combined")
    """

    def __init__(
        self,
        code_weight=0.5,
        density=None,
        statistics=None,
        threshold=None,
        quantile=None,
    ):
        super().__init__(threshold=threshold, quantile=quantile)
        self.code_weight = check_non_negative_number(code_weight, "code_weight")
        if density is None:
            density = CodeDensityScore()
        elif isinstance(density, dict):
            density = keras.saving.deserialize_keras_object(density)
        if not isinstance(density, CodeDensityScore):
            raise TypeError(
                "`density` must be a CodeDensityScore. Received: "
                f"density={density!r}"
            )
        self.density = density
        self.statistics = statistics

    @property
    def fitted(self):
        return self.statistics is not None and self.density.fitted

    def _fit(self, codes, errors):
        self.density._fit(codes, errors)
        log_errors = np.log(np.maximum(errors, 1e-12))
        densities = np.asarray(self.density(codes, errors), np.float64)
        self.statistics = [
            float(np.mean(log_errors)),
            float(np.std(log_errors) + 1e-12),
            float(np.mean(densities)),
            float(np.std(densities) + 1e-12),
        ]

    def _score(self, codes, errors):
        error_mean, error_std, code_mean, code_std = self.statistics
        log_errors = ops.log(ops.maximum(errors, 1e-12))
        standard_error = (log_errors - error_mean) / error_std
        standard_code = (self.density._score(codes, errors) - code_mean) / (
            code_std
        )
        return standard_error + self.code_weight * standard_code

    def get_config(self):
        return {
            "code_weight": self.code_weight,
            "density": keras.saving.serialize_keras_object(self.density),
            "statistics": self.statistics,
            **super().get_config(),
        }


# Fitting a 40-component mixture on more codes takes long and changes little.
MAX_FIT_IMAGES = 20000


def fitting_sample(images):
    """At most `MAX_FIT_IMAGES` of `images`, evenly spaced: what a score is
    fitted on (`keras-aae train`, `keras_aae.evaluation.anomaly_scores`)."""
    step = max(1, -(-len(images) // MAX_FIT_IMAGES))
    return images[::step]


SCORES = {
    "reconstruction": ReconstructionScore,
    "code_density": CodeDensityScore,
    "combined": CombinedScore,
}
DEFAULT_SCORE = "combined"


def get(identifier):
    """Returns an `AnomalyScore` from a name, a config dict or an instance.

    Args:
        identifier: `"reconstruction"`, `"code_density"`, `"combined"`, a
            serialized score, or an `AnomalyScore`.

    Returns:
        A new score for a name; the score itself for an instance.

    Raises:
        ValueError: On an unknown name.
        TypeError: On anything else.

    Example:

    >>> get("reconstruction")
    ReconstructionScore(threshold=None)
    """
    if isinstance(identifier, str):
        key = identifier.lower().replace("-", "_")
        if key not in SCORES:
            raise ValueError(
                f"Unknown anomaly score {identifier!r}; expected one of "
                f"{sorted(SCORES)}. Received: score={identifier!r}"
            )
        return SCORES[key]()
    if identifier is None:
        raise TypeError("`score` must be a name, a config or an AnomalyScore.")
    return check_option(
        identifier, AnomalyScore, "score", "a name, an AnomalyScore"
    )
