"""Unsupervised clustering (Makhzani et al., 2015, section 6)."""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_aae._validation import check_class_count
from keras_aae.models import balance as balance_lib
from keras_aae.models import consistency as consistency_lib
from keras_aae.models.adversarial_autoencoder import AdversarialAutoencoder
from keras_aae.models.categorical import CategoricalAdversarialAutoencoder

# The phase the options add, and what it logs.
PHASE = "consistency"
BALANCE_LOGGED = "balance_loss"


@keras.saving.register_keras_serializable(package="keras_aae")
class ClusteringAdversarialAutoencoder(CategoricalAdversarialAutoencoder):
    """Unsupervised clustering (paper section 6).

    The categorical architecture without labels: `y` is a softmax over
    `num_clusters` clusters matched to a categorical prior, `z` the style.
    Labels given to `fit` are ignored. Score with
    `keras_aae.evaluation.clustering_accuracy` (the paper's rule takes the
    cluster probabilities of a few labeled validation examples).

    Args:
        encoder: Codes `(n, num_clusters + style_dim)`, softmax first.
        decoder: Maps those codes back to inputs.
        discriminator: Judges styles `(n, style_dim)`.
        categorical_discriminator: Judges `y` `(n, num_clusters)`.
        prior: The style's prior.
        num_clusters: Int >= 2 (the paper: 16 and 30 on MNIST).
        consistency: None (the paper's model), or, beyond the paper, a
            `ShiftConsistency` or `VirtualAdversarialConsistency` (or its
            config): `q(y|x)` pulled towards itself under small
            perturbations in a phase of its own. Alone it collapses the
            clusters; use it with `balance`.
        balance: None (the paper's model), or, beyond the paper, a
            `ClusterBalance` (or its config) in the same phase: every
            cluster kept in use (`keras_aae.models.balance`).
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the networks' shapes do not fit together, or given a
            semi-supervised argument (`num_classes`, `classification_weight`).

    Example:

    >>> from keras_aae import networks
    >>> model = ClusteringAdversarialAutoencoder(
    ...     networks.mlp_categorical_encoder((28, 28, 1), 16, 5, [256]),
    ...     networks.mlp_decoder(21, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(5, [256]),
    ...     networks.mlp_discriminator(16, [256]), num_clusters=16)
    >>> # model.fit(images, epochs=10); clusters = model.cluster(images)
    """

    _CONFIG = AdversarialAutoencoder._CONFIG + ("num_clusters",)
    _SERIALIZED = CategoricalAdversarialAutoencoder._SERIALIZED + (
        "consistency",
        "balance",
    )
    # `consistency` and `balance` came in 0.8.
    _CONFIG_BEFORE = {
        **CategoricalAdversarialAutoencoder._CONFIG_BEFORE,
        "consistency": None,
        "balance": None,
    }

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        categorical_discriminator,
        prior="gaussian",
        num_clusters=16,
        consistency=None,
        balance=None,
        **kwargs,
    ):
        for name in ("num_classes", "classification_weight", "num_categories"):
            if name in kwargs:
                raise ValueError(
                    "A clustering model trains without labels: give its size "
                    "as `num_clusters` (a semi-supervised model takes "
                    f"`num_classes` and `classification_weight`). Received: "
                    f"{name}={kwargs[name]!r}"
                )
        super().__init__(
            encoder,
            decoder,
            discriminator,
            categorical_discriminator,
            prior=prior,
            num_categories=check_class_count(num_clusters, "num_clusters"),
            **kwargs,
        )
        self.consistency = consistency_lib.get(consistency)
        self.balance = balance_lib.get(balance)
        self._add_consistency_phase()
        self._end_init(ClusteringAdversarialAutoencoder)

    def _add_consistency_phase(self):
        """Adds the options' phase, optimizer and logs to this instance (a
        model without them keeps the paper's three phases)."""
        logged = self._option_logs()
        if not logged:
            return
        self._PHASES = self._PHASES + (PHASE,)
        self._DEFAULT_LEARNING_RATES = {
            **self._DEFAULT_LEARNING_RATES,
            PHASE: 1e-3,
        }
        setattr(self, f"{PHASE}_optimizer", None)
        self._LOGGED = self._LOGGED + logged
        for name in logged:
            self.trackers[name] = keras.metrics.Mean(name=name)

    def _option_logs(self):
        """The names the set options log, in their order."""
        options = (
            (consistency_lib.LOGGED, self.consistency),
            (BALANCE_LOGGED, self.balance),
        )
        return tuple(name for name, option in options if option is not None)

    def compile_from_config(self, config):
        # keras-aae 0.1 gave clustering models a classification optimizer
        # that never ran; the `.keras` files it saved still name it.
        config = dict(config)
        config.pop("classification_optimizer", None)
        super().compile_from_config(config)

    def _phase_variables(self):
        variables = super()._phase_variables()
        if PHASE in self._PHASES:
            variables[PHASE] = self.encoder.trainable_variables
        return variables

    def _draw_step_randomness(self, x, labels):
        step_draws = super()._draw_step_randomness(x, labels)
        if self.consistency is not None:
            step_draws[consistency_lib.LOGGED] = self.consistency.draws(
                x, self.seed_generator
            )
        return step_draws

    def _train_phases(self, x, labels, step_draws):
        results = super()._train_phases(x, labels, step_draws)
        if PHASE in self._PHASES:
            results.update(self._consistency_phase(x, step_draws))
        return results

    def _consistency_phase(self, x, step_draws):
        """Beyond the paper, after section 6's phases: the encoder
        minimizes the options' losses on `q(y|x)` (read through the
        posterior, as in the reconstruction phase). Returns the logged
        losses."""
        variables = self._phase_variables()[PHASE]
        with tf.GradientTape() as tape:
            codes = self._training_codes(x, step_draws["posterior"])
            probabilities = codes[:, : self.num_clusters]
            logged = self._option_losses(
                x, probabilities, step_draws.get(consistency_lib.LOGGED)
            )
            loss = ops.sum(ops.stack(list(logged.values())))
        self._minimize(PHASE, tape, loss, variables)
        return logged

    def _option_losses(self, x, probabilities, consistency_draws):
        """`{logged name: loss}` of the consistency and balance options."""
        logged = {}
        if self.consistency is not None:
            logged[consistency_lib.LOGGED] = self.consistency.divergence(
                probabilities,
                self._perturbed_probabilities(x, consistency_draws),
            )
        if self.balance is not None:
            logged[BALANCE_LOGGED] = self.balance.loss(probabilities)
        return logged

    def _test_results(self, x, labels):
        results = super()._test_results(x, labels)
        if PHASE in self._PHASES:
            draws = None
            if self.consistency is not None:
                draws = self.consistency.draws(x, self.seed_generator)
            probabilities = self._inference_codes(x)[:, : self.num_clusters]
            results.update(self._option_losses(x, probabilities, draws))
        return results

    @property
    def num_clusters(self):
        return self.num_categories

    def cluster(self, x, batch_size=256):
        """Returns the most probable cluster of each example."""
        return np.argmax(self.predict_categories(x, batch_size), axis=1)
