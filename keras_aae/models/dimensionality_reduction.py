"""Dimensionality reduction (Makhzani et al., 2015, section 7)."""

import keras
from keras import ops

from keras_aae._validation import check_non_negative_number
from keras_aae.models.semi_supervised import (
    SemiSupervisedAdversarialAutoencoder,
)
from keras_aae.networks import ClusterHeads


@keras.saving.register_keras_serializable(package="keras_aae")
class DimensionalityReductionAdversarialAutoencoder(
    SemiSupervisedAdversarialAutoencoder
):
    """Dimensionality reduction (paper section 7, figure 11).

    The semi-supervised architecture whose decoder starts with cluster heads
    (`networks.cluster_head_decoder`): it reads the representation
    `W y + z`, an `embedding_dim`-D point (2-D for a plot). The heads are
    pushed apart by the `ClusterHeads` penalty, added to the reconstruction
    phase's loss with `cluster_head_weight`. With labels (e.g. 1,000 on
    MNIST), the classification phase runs as in section 5; without, it is
    the unsupervised variant.

    Args:
        encoder: Codes `(n, num_classes + embedding_dim)`, softmax first.
        decoder: A decoder holding a `networks.ClusterHeads` layer.
        discriminator: Judges styles `(n, embedding_dim)`.
        categorical_discriminator: Judges `y` `(n, num_classes)`.
        cluster_head_weight: Non-negative weight of the heads' penalty.
        **kwargs: The other `SemiSupervisedAdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the decoder has no `ClusterHeads` layer.

    Example:

    >>> from keras_aae import networks
    >>> model = DimensionalityReductionAdversarialAutoencoder(
    ...     networks.mlp_categorical_encoder((28, 28, 1), 10, 2, [256]),
    ...     networks.cluster_head_decoder(10, 2, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(2, [256]),
    ...     networks.mlp_discriminator(10, [256]), num_classes=10)
    >>> # model.fit(dataset); points = model.embed(images)   # (n, 2)
    """

    _CONFIG = SemiSupervisedAdversarialAutoencoder._CONFIG + (
        "cluster_head_weight",
    )

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        categorical_discriminator,
        cluster_head_weight=1.0,
        **kwargs,
    ):
        super().__init__(
            encoder, decoder, discriminator, categorical_discriminator, **kwargs
        )
        self.cluster_head_weight = check_non_negative_number(
            cluster_head_weight, "cluster_head_weight"
        )
        self._end_init(DimensionalityReductionAdversarialAutoencoder)

    def _check_structure(self):
        self._cluster_heads()
        super()._check_structure()

    def _cluster_heads(self):
        # Looked up, not stored: a second reference would track the layer's
        # weights twice in checkpoints.
        heads = [
            layer
            for layer in self.decoder.layers
            if isinstance(layer, ClusterHeads)
        ]
        if len(heads) != 1:
            raise ValueError(
                "The decoder must hold one ClusterHeads layer (build it with "
                "networks.cluster_head_decoder). Received: a decoder with "
                f"{len(heads)}"
            )
        return heads[0]

    def _penalty(self):
        return self.cluster_head_weight * self._cluster_heads().penalty()

    def embed(self, x, batch_size=256):
        """Returns the representation `W y + z` of each example."""
        codes = self.encode(x, batch_size)
        return ops.convert_to_numpy(self._cluster_heads()(codes))
