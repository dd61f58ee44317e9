"""Anomaly detection with a trained autoencoder (the seeds' application).

`AnomalyScoring` fits a `keras_aae.scores.AnomalyScore` on the training
images after training, keeps it in the model's config (so `model.save`
keeps it and `model.export` serves it as the `score` signature), and
scores new images with it.
"""

import keras
import numpy as np
from keras import ops

from keras_aae import scores as scores_lib

_CONFIG_KEY = "anomaly_score"


class AnomalyScoring:
    """A `keras.Model` mixin: `fit_anomaly_score`, `score_anomalies`,
    `is_anomalous`.

    The model holds `encoder`, `decoder`, `posterior` and the hook
    `_decoder_input(codes, labels)`; models whose decoder reads a label
    (`_CALL_LABELS`) cannot score unlabelled images.

    Example:

    >>> # model.fit(x_normal, epochs=20)
    >>> # model.fit_anomaly_score(x_normal, held_out=x_normal_val)
    >>> # model.score_anomalies(x_new), model.is_anomalous(x_new)
    """

    anomaly_score = None

    @property
    def scores_anomalies(self):
        """Whether the model can score images alone (its decoder reads no
        label beside the code)."""
        return self._CALL_LABELS is None

    def _check_scorable(self):
        if not self.scores_anomalies:
            raise TypeError(
                f"A {type(self).__name__} decodes a label beside each code; "
                "anomaly scores need a model that reconstructs images alone "
                "(an AdversarialAutoencoder, or a variant without labels)."
            )

    def _codes_and_errors(self, images):
        """Posterior-mean codes `(n, d)` and per-image mean squared
        reconstruction errors `(n,)`, as tensors (traceable for export)."""
        images = ops.cast(images, "float32")
        codes = self._inference_codes(images)
        reconstructions = ops.cast(
            self.decoder(self._decoder_input(codes, None), training=False),
            "float32",
        )
        axes = tuple(range(1, len(images.shape)))
        return codes, ops.mean(ops.square(images - reconstructions), axes)

    def codes_and_errors(self, x, batch_size=256):
        """Returns the codes and per-image reconstruction errors of `x`.

        Args:
            x: Images, `(n,) + input_shape`.
            batch_size: Positive int.

        Returns:
            A tuple of numpy arrays `(codes (n, latent_dim), errors (n,))`.
        """
        self._check_scorable()
        x = np.asarray(x, dtype=np.float32)
        codes, errors = [], []
        for start in range(0, len(x), batch_size):
            batch_codes, batch_errors = self._codes_and_errors(
                x[start : start + batch_size]
            )
            codes.append(ops.convert_to_numpy(batch_codes))
            errors.append(ops.convert_to_numpy(batch_errors))
        return np.concatenate(codes), np.concatenate(errors)

    def fit_anomaly_score(
        self,
        x,
        held_out=None,
        score=scores_lib.DEFAULT_SCORE,
        quantile=scores_lib.DEFAULT_QUANTILE,
        batch_size=256,
    ):
        """Fits an anomaly score on normal images and keeps it in the model.

        Args:
            x: Normal images, usually the training set.
            held_out: Optional normal images not trained on: the threshold
                is their scores' `quantile` (without them, no threshold and
                `is_anomalous` raises).
            score: A `keras_aae.scores` name (`"combined"`,
                `"reconstruction"`, `"code_density"`) or an `AnomalyScore`.
            quantile: Float in (0, 1): about `1 - quantile` of normal images
                score above the threshold.
            batch_size: Positive int.

        Returns:
            The fitted `AnomalyScore` (also `model.anomaly_score`).

        Raises:
            TypeError: For a model that decodes labels, or a bad `score`.
            ValueError: For an unknown score name or a bad `quantile`.

        Example:

        >>> # model.fit_anomaly_score(x_train, held_out=x_val, quantile=0.99)
        """
        fitted = scores_lib.get(score)
        fitted.fit(*self.codes_and_errors(x, batch_size))
        if held_out is not None:
            fitted.calibrate(
                *self.codes_and_errors(held_out, batch_size), quantile=quantile
            )
        self.anomaly_score = fitted
        return fitted

    def _fitted_score(self):
        if self.anomaly_score is None:
            raise ValueError(
                "This model has no anomaly score: call "
                "`model.fit_anomaly_score(normal_images, held_out=...)` (or "
                "`keras-aae train`, which fits one) first."
            )
        return self.anomaly_score

    def score_anomalies(self, x, batch_size=256):
        """Returns the anomaly score of each image, higher meaning more
        anomalous, as a float32 numpy array `(n,)`.

        Raises:
            ValueError: If no score was fitted.
        """
        score = self._fitted_score()
        return np.asarray(score(*self.codes_and_errors(x, batch_size)))

    def is_anomalous(self, x, batch_size=256):
        """Returns whether each image scores above the stored threshold.

        Raises:
            ValueError: If no score or no threshold was fitted.
        """
        if self._fitted_score().threshold is None:
            raise ValueError(
                "The anomaly score has no threshold: fit it with "
                "`held_out=` normal images to set one."
            )
        return (
            self.score_anomalies(x, batch_size) > self.anomaly_score.threshold
        )

    def _serve_scores(self, images):
        """`{"scores", "anomalous"}` of a batch, in TensorFlow (the exported
        `score` signature); `anomalous` is all False without a threshold."""
        score = self._fitted_score()
        values = score(*self._codes_and_errors(images))
        threshold = np.inf if score.threshold is None else score.threshold
        return {"scores": values, "anomalous": values > threshold}

    def get_config(self):
        config = super().get_config()
        if self.anomaly_score is not None:
            config[_CONFIG_KEY] = keras.saving.serialize_keras_object(
                self.anomaly_score
            )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        score = config.pop(_CONFIG_KEY, None)
        model = super().from_config(config)
        if score is not None:
            model.anomaly_score = scores_lib.get(score)
        return model
