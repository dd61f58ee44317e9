"""Codes with a categorical part (Makhzani et al., 2015, sections 5-7)."""

import keras
from keras import ops

from keras_aae import priors as priors_lib
from keras_aae._validation import check_class_count
from keras_aae._validation import check_keras_model
from keras_aae.models import discriminator_steps as discriminator_steps_lib
from keras_aae.models import draws
from keras_aae.models.adversarial_autoencoder import AdversarialAutoencoder
from keras_aae.models.code_part import CodePart


@keras.saving.register_keras_serializable(package="keras_aae")
class CategoricalAdversarialAutoencoder(AdversarialAutoencoder):
    """An AAE whose code is a categorical `y` and a style `z` (figure 8).

    The encoder's first `num_categories` outputs are a softmax `q(y|x)`, the
    rest the style `z`; the decoder reads both. The regularization phase
    runs for two `CodePart`s: a categorical discriminator matches `y` to
    one-hot samples, the other discriminator matches `z` to `prior`. It is
    the architecture of the paper's sections 5-7: clustering (section 6)
    uses it as it is, the semi-supervised models add a classification phase.

    Args:
        encoder: A `keras.Model` mapping inputs to `(n, num_categories +
            style_dim)` codes whose first `num_categories` entries are a
            softmax (`networks.mlp_categorical_encoder`).
        decoder: A `keras.Model` mapping those codes back to inputs.
        discriminator: A `keras.Model` judging styles `(n, style_dim)`.
        categorical_discriminator: A `keras.Model` judging `y`
            `(n, num_categories)`.
        prior: The style's prior (name, config or object).
        num_categories: Int >= 2, the size of `y`.
        discriminator_steps: As in `AdversarialAutoencoder`; 5 here by
            default, as this variant's benchmarks measured it.
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the networks' shapes do not fit together.
        TypeError: If `categorical_discriminator` is not a `keras.Model`.

    Example:

    >>> from keras_aae import networks
    >>> model = CategoricalAdversarialAutoencoder(
    ...     networks.mlp_categorical_encoder((28, 28, 1), 16, 5, [256]),
    ...     networks.mlp_decoder(21, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(5, [256]),
    ...     networks.mlp_discriminator(16, [256]), num_categories=16)
    >>> # y = model.predict_categories(images)   # (n, 16)
    """

    _SERIALIZED = AdversarialAutoencoder._SERIALIZED + (
        "categorical_discriminator",
    )
    _CONFIG = AdversarialAutoencoder._CONFIG + ("num_categories",)

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        categorical_discriminator,
        prior="gaussian",
        num_categories=10,
        **kwargs,
    ):
        kwargs.setdefault(
            "discriminator_steps", discriminator_steps_lib.VARIANT_STEPS
        )
        # Measured for the unsupervised model only (its decoded draws).
        kwargs.setdefault("sample_adversary", None)
        super().__init__(encoder, decoder, discriminator, prior=prior, **kwargs)
        if self.posterior.outputs_per_dim != 1:
            # The categorical part is a softmax, not a location and a scale.
            raise ValueError(
                "A categorical code's encoder outputs probabilities: use a "
                "'deterministic' or 'universal' posterior. Received: "
                f"posterior={self.posterior!r}"
            )
        self.categorical_discriminator = check_keras_model(
            categorical_discriminator, "categorical_discriminator"
        )
        self.num_categories = check_class_count(
            num_categories, "num_categories"
        )
        self.categorical_prior = priors_lib.CategoricalPrior(
            self.num_categories
        )
        self._categorical_noise_stddev = (
            self.discriminator_noise
            * priors_lib.prior_scale(self.categorical_prior)
        )
        self._end_init(CategoricalAdversarialAutoencoder)

    def _prior_dim(self):
        style_dim = self.latent_dim - self.num_categories
        if style_dim < 1:
            raise ValueError(
                "The encoder's code must hold the category probabilities and "
                f"a style: more than {self.num_categories} entries. "
                f"Received: code size {self.latent_dim}"
            )
        return style_dim

    def regularized_parts(self):
        k = self.num_categories
        return [
            CodePart(
                0,
                k,
                self.categorical_discriminator,
                self.categorical_prior,
                self._categorical_noise_stddev,
            ),
            CodePart(
                k,
                self.latent_dim - k,
                self.discriminator,
                self.prior,
                self._noise_stddev,
            ),
        ]

    @property
    def code_prior(self):
        return priors_lib.ConcatenatedPrior(
            [self.categorical_prior, self.prior]
        )

    def _training_codes(self, x, posterior_uniforms):
        """Codes of `x` drawn from q(z|x) as in training, as float32."""
        return self.posterior.training_codes(
            lambda v: ops.cast(self.encoder(v, training=True), "float32"),
            x,
            *draws.standard_normals(posterior_uniforms),
        )

    def _training_class_probabilities(self, x):
        """`q(y|x)` of `x` as in training, as float32."""
        codes = ops.cast(self.encoder(x, training=True), "float32")
        return codes[:, : self.num_categories]

    def _perturbed_probabilities(self, x, consistency_draws):
        """`q(y|x)` of `x` perturbed by the model's `consistency` option
        (`keras_aae.models.consistency`)."""
        perturbed = self.consistency.perturb(
            x, consistency_draws, self._training_class_probabilities
        )
        return self._training_class_probabilities(perturbed)

    def predict_categories(self, x, batch_size=256):
        """Returns `q(y|x)`, the probabilities `(n, num_categories)`."""
        return self.encode(x, batch_size)[:, : self.num_categories]

    def styles(self, x, batch_size=256):
        """Returns the style codes `z` of `x` `(n, style_dim)`."""
        return self.encode(x, batch_size)[:, self.num_categories :]
