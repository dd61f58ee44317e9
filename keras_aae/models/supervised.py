"""The supervised adversarial autoencoder (Makhzani et al., 2015, section 4)."""

import keras
import numpy as np
from keras import ops

from keras_aae import priors as priors_lib
from keras_aae._validation import check_class_count
from keras_aae.models import discriminator_steps as discriminator_steps_lib
from keras_aae.models.adversarial_autoencoder import AdversarialAutoencoder
from keras_aae.models.labels import int_labels


@keras.saving.register_keras_serializable(package="keras_aae")
class SupervisedAdversarialAutoencoder(AdversarialAutoencoder):
    """The supervised AAE (paper section 4, figure 6).

    The decoder reads the one-hot label beside the code, so the code is
    free to hold only the style (slant, thickness, ...). Decoding one
    image's code with every label writes every digit in that image's style
    (`transfer_style`). Every training example needs its label.

    The paper's discriminator judges the style alone, which lets the style
    carry the digit as long as its aggregate looks like the prior; the
    decoder then learns to ignore the label (`benchmarks/README.md`, issue
    31). Beyond the paper, `independent_style=True` shows the discriminator
    the one-hot label beside each style, real and fake alike: prior draws
    are independent of the label, so the encoder must match the prior
    within every label, and the style no longer tells the digit.

    Args:
        encoder: A `keras.Model` mapping inputs to style codes
            `(n, latent_dim)`.
        decoder: A `keras.Model` mapping `(n, latent_dim + num_classes)`
            (the code, then the one-hot label) back to inputs.
        discriminator: A `keras.Model` mapping codes to logits `(n, 1)`.
        num_classes: Int >= 2, the number of classes.
        independent_style: Whether the discriminator reads the one-hot
            label beside the style (beyond the paper): its input is then
            `(n, latent_dim + num_classes)`.
        discriminator_steps: As in `AdversarialAutoencoder`; 5 here by
            default, as this variant's benchmarks measured it.
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the networks' shapes do not fit together; at `fit`,
            if the data has no labels.

    Example:

    >>> from keras_aae import networks
    >>> model = SupervisedAdversarialAutoencoder(
    ...     networks.mlp_encoder((28, 28, 1), 8, [256]),
    ...     networks.mlp_decoder(8 + 10, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(8 + 10, [256]), num_classes=10,
    ...     independent_style=True)
    >>> # model.fit(images, labels, epochs=10)
    >>> # grid = model.transfer_style(test_images[:10])   # (10, 10, 28, 28, 1)
    """

    _CONFIG = AdversarialAutoencoder._CONFIG + (
        "num_classes",
        "independent_style",
    )
    # `independent_style` came in 0.8.
    _CONFIG_BEFORE = {
        **AdversarialAutoencoder._CONFIG_BEFORE,
        "independent_style": False,
    }

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        prior="gaussian",
        num_classes=10,
        independent_style=False,
        **kwargs,
    ):
        if not isinstance(independent_style, bool):
            raise TypeError(
                "`independent_style` must be True or False. Received: "
                f"independent_style={independent_style!r}"
            )
        kwargs.setdefault(
            "discriminator_steps", discriminator_steps_lib.VARIANT_STEPS
        )
        # Measured for the unsupervised model only (its decoded draws).
        kwargs.setdefault("sample_adversary", None)
        super().__init__(encoder, decoder, discriminator, prior=prior, **kwargs)
        self.independent_style = independent_style
        self.num_classes = check_class_count(num_classes, "num_classes")
        self._end_init(SupervisedAdversarialAutoencoder)

    def _decoder_input_dim(self):
        return self.latent_dim + self.num_classes

    def _discriminator_input_dim(self, part):
        if self.independent_style:
            return part.size + self.num_classes
        return part.size

    def _discriminator_input(self, part, z, labels):
        return self._beside_label(z, labels) if self.independent_style else z

    def _labels(self, y):
        if y is None:
            raise ValueError(
                "A SupervisedAdversarialAutoencoder needs the label of every "
                "example: pass `fit(x, y)` or a dataset of (images, labels). "
                "Received: no labels"
            )
        return int_labels(y)

    def _label_bounds(self):
        return (0, self.num_classes - 1)

    def _decoder_input(self, codes, labels):
        return self._beside_label(codes, labels)

    def _beside_label(self, codes, labels):
        """`codes` followed by the one-hot `labels`, in the codes' dtype."""
        one_hot = ops.one_hot(labels, self.num_classes)
        return ops.concatenate([codes, ops.cast(one_hot, codes.dtype)], axis=1)

    _CALL_LABELS = "labels"

    def _call_inputs(self, images, labels):
        return images, labels

    def _split_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                "A SupervisedAdversarialAutoencoder is called on (images, "
                f"labels). Received: inputs of type {type(inputs).__name__}"
            )
        return inputs[0], self._labels(inputs[1])

    @property
    def decoder_prior(self):
        """Style from the prior beside a uniformly drawn one-hot label."""
        return priors_lib.ConcatenatedPrior(
            [self.prior, priors_lib.CategoricalPrior(self.num_classes)]
        )

    def transfer_style(self, x, labels=None, batch_size=256):
        """Decodes the style of each image in `x` with each label.

        Args:
            x: `n` images whose styles are kept.
            labels: Labels to write; defaults to every class.
            batch_size: Positive int.

        Returns:
            A numpy array `(n, len(labels)) + image_shape`: row `i` is image
            `i`'s style, column `j` is label `labels[j]` (paper figure 6).
        """
        if labels is None:
            labels = np.arange(self.num_classes)
        labels = np.asarray(labels)
        codes = self.encode(x, batch_size)
        styles = np.repeat(codes, len(labels), axis=0)
        tiled = self._labels(np.tile(labels, len(codes)))
        inputs = ops.convert_to_numpy(self._decoder_input(styles, tiled))
        images = self.decode(inputs, batch_size)
        return images.reshape((len(codes), len(labels)) + images.shape[1:])
