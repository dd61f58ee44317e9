"""Unsupervised clustering (Makhzani et al., 2015, section 6)."""

import keras
import numpy as np

from keras_aae._validation import check_class_count
from keras_aae.models.adversarial_autoencoder import AdversarialAutoencoder
from keras_aae.models.categorical import CategoricalAdversarialAutoencoder


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

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        categorical_discriminator,
        prior="gaussian",
        num_clusters=16,
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
        self._end_init(ClusteringAdversarialAutoencoder)

    def compile_from_config(self, config):
        # keras-aae 0.1 gave clustering models a classification optimizer
        # that never ran; the `.keras` files it saved still name it.
        config = dict(config)
        config.pop("classification_optimizer", None)
        super().compile_from_config(config)

    @property
    def num_clusters(self):
        return self.num_categories

    def cluster(self, x, batch_size=256):
        """Returns the most probable cluster of each example."""
        return np.argmax(self.predict_categories(x, batch_size), axis=1)
