"""The semi-supervised adversarial autoencoder (Makhzani et al., 2015,
section 5)."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_aae._validation import check_class_count
from keras_aae._validation import check_non_negative_number
from keras_aae.models import consistency as consistency_lib
from keras_aae.models import losses
from keras_aae.models.adversarial_autoencoder import AdversarialAutoencoder
from keras_aae.models.categorical import CategoricalAdversarialAutoencoder
from keras_aae.models.labels import int_labels

CONSISTENCY_LOGGED = consistency_lib.LOGGED


@keras.saving.register_keras_serializable(package="keras_aae")
class SemiSupervisedAdversarialAutoencoder(CategoricalAdversarialAutoencoder):
    """The semi-supervised AAE (paper section 5, figure 8).

    The categorical architecture (`CategoricalAdversarialAutoencoder`: the
    code is a softmax `y` over the classes and a style `z`, each matched to
    its prior by its own discriminator) plus the semi-supervised
    classification phase: after the reconstruction and regularization
    phases, the encoder minimizes the cross-entropy of `q(y|x)` on the
    batch's labeled examples (label >= 0; unlabeled ones carry -1) with its
    own optimizer (`compile` also takes `classification_optimizer` and
    `classification_learning_rate`).

    Args:
        encoder: A `keras.Model` mapping inputs to `(n, num_classes +
            style_dim)` codes whose first `num_classes` entries are a
            softmax (`networks.mlp_categorical_encoder`).
        decoder: A `keras.Model` mapping those codes back to inputs.
        discriminator: A `keras.Model` judging styles `(n, style_dim)`.
        categorical_discriminator: A `keras.Model` judging `y`
            `(n, num_classes)`.
        prior: The style's prior (name, config or object).
        num_classes: Int >= 2, the number of classes.
        classification_weight: Non-negative weight of the cross-entropy.
        consistency: None (the paper's model), a
            `keras_aae.models.ShiftConsistency` or a
            `keras_aae.models.VirtualAdversarialConsistency` (or its
            config): beyond the paper, `q(y|x)` is also pulled towards
            itself under small shifts and noise, or under VAT's
            perturbations, on every image of the batch.
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the networks' shapes do not fit together.
        TypeError: If `categorical_discriminator` is not a `keras.Model`.

    Example:

    >>> from keras_aae import networks
    >>> model = SemiSupervisedAdversarialAutoencoder(
    ...     networks.mlp_categorical_encoder((28, 28, 1), 10, 10, [256]),
    ...     networks.mlp_decoder(20, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(10, [256]),
    ...     networks.mlp_discriminator(10, [256]), num_classes=10)
    >>> model.compile(classification_learning_rate=1e-3)
    >>> # model.fit(data.semi_supervised_dataset(x, y_with_minus_ones))
    """

    _PHASES = CategoricalAdversarialAutoencoder._PHASES + ("classification",)
    _DEFAULT_LEARNING_RATES = {
        **CategoricalAdversarialAutoencoder._DEFAULT_LEARNING_RATES,
        "classification": 1e-3,
    }
    _LOGGED = CategoricalAdversarialAutoencoder._LOGGED + (
        "classification_loss",
    )
    _SERIALIZED = CategoricalAdversarialAutoencoder._SERIALIZED + (
        "consistency",
    )
    _CONFIG = AdversarialAutoencoder._CONFIG + (
        "num_classes",
        "classification_weight",
    )
    # `consistency` came in 0.7.
    _CONFIG_BEFORE = {
        **CategoricalAdversarialAutoencoder._CONFIG_BEFORE,
        "consistency": None,
    }

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        categorical_discriminator,
        prior="gaussian",
        num_classes=10,
        classification_weight=1.0,
        consistency=None,
        **kwargs,
    ):
        super().__init__(
            encoder,
            decoder,
            discriminator,
            categorical_discriminator,
            prior=prior,
            num_categories=check_class_count(num_classes, "num_classes"),
            **kwargs,
        )
        self.classification_weight = check_non_negative_number(
            classification_weight, "classification_weight"
        )
        self.consistency = consistency_lib.get(consistency)
        if self.consistency is not None:
            self._LOGGED = self._LOGGED + (CONSISTENCY_LOGGED,)
            self.trackers[CONSISTENCY_LOGGED] = keras.metrics.Mean(
                name=CONSISTENCY_LOGGED
            )
        self._end_init(SemiSupervisedAdversarialAutoencoder)

    @property
    def num_classes(self):
        return self.num_categories

    def _labels(self, y):
        return None if y is None else int_labels(y)

    def _label_bounds(self):
        return (-1, self.num_classes - 1)

    def _phase_variables(self):
        variables = super()._phase_variables()
        variables["classification"] = self.encoder.trainable_variables
        return variables

    def _classification_loss(self, probabilities, labels):
        """Cross-entropy of `q(y|x)` on the labeled examples (label >= 0)."""
        labeled = ops.cast(labels >= 0, "float32")
        safe = ops.where(labels >= 0, labels, 0)
        cross_entropy = losses.sparse_cross_entropy(safe, probabilities)
        count = ops.maximum(ops.sum(labeled), 1.0)
        weighted = ops.sum(cross_entropy * labeled) / count
        return self.classification_weight * weighted

    def _classification_phase(self, x, labels, step_draws):
        """Section 5, semi-supervised classification phase: the encoder
        minimizes the cross-entropy of `q(y|x)` on the labeled examples
        (and, with a `consistency` option, its divergence under shifts).
        Returns the logged losses.

        `q(y|x)` is read through the posterior as in the reconstruction
        phase: a universal posterior's input noise (the paper's appendix
        adds it to the encoder's input) also regularizes the classifier,
        which otherwise memorizes a few labeled examples within an epoch.
        """
        variables = self._phase_variables()["classification"]
        with tf.GradientTape() as tape:
            codes = self._training_codes(x, step_draws["posterior"])
            logged = self._classification_losses(
                x, codes[:, : self.num_classes], labels, step_draws
            )
            loss = ops.sum(ops.stack(list(logged.values())))
        self._minimize("classification", tape, loss, variables)
        return logged

    def _classification_losses(self, x, probabilities, labels, step_draws):
        """The cross-entropy, and the consistency divergence when the
        model has the option: `{logged name: loss}`."""
        if self.consistency is None:
            return {
                "classification_loss": self._classification_loss(
                    probabilities, labels
                )
            }
        perturbed = self._perturbed_probabilities(
            x, step_draws[CONSISTENCY_LOGGED]
        )
        labeled = perturbed if self.consistency.labeled else probabilities
        return {
            "classification_loss": self._classification_loss(labeled, labels),
            CONSISTENCY_LOGGED: self.consistency.divergence(
                probabilities, perturbed
            ),
        }

    def _classification_results(self, x, labels, step_draws):
        """Runs the classification phase; returns what it logs."""
        return self._classification_phase(x, labels, step_draws)

    def _draw_step_randomness(self, x, labels):
        step_draws = super()._draw_step_randomness(x, labels)
        if self.consistency is not None:
            step_draws[CONSISTENCY_LOGGED] = self.consistency.draws(
                x, self.seed_generator
            )
        return step_draws

    def _train_phases(self, x, labels, step_draws):
        results = super()._train_phases(x, labels, step_draws)
        if labels is not None:
            results.update(self._classification_results(x, labels, step_draws))
        return results

    def _test_results(self, x, labels):
        results = super()._test_results(x, labels)
        if labels is not None:
            codes = self._inference_codes(x)
            results["classification_loss"] = self._classification_loss(
                codes[:, : self.num_classes], labels
            )
            if self.consistency is not None:
                results[CONSISTENCY_LOGGED] = self.consistency.divergence(
                    codes[:, : self.num_classes],
                    self._perturbed_probabilities(
                        x, self.consistency.draws(x, self.seed_generator)
                    ),
                )
        return results

    def predict_classes(self, x, batch_size=256):
        """Returns `q(y|x)`, the class probabilities `(n, num_classes)`."""
        return self.predict_categories(x, batch_size)

    def classify(self, x, batch_size=256):
        """Returns the most probable class of each example."""
        return np.argmax(self.predict_classes(x, batch_size), axis=1)
