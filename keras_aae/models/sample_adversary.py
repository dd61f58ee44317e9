"""`SampleAdversary`: a second adversary, on decoded prior draws.

Beyond the paper (Makhzani et al., 2015, whose adversary judges codes
only). The decoder of the paper's model learns from the codes of training
images alone. With a code of many dimensions (the seed tutorial's 64) those
codes fill a thin set of the prior's space, prior draws land between them,
and the decoder turns them into blurred blends: on MNIST the package's judge
put reconstructions at a Frechet distance of 5.7 and decoded prior draws at
69 (benchmarks/README.md, issue 13). A sample adversary trains the decoder
on prior draws too: a discriminator on images learns to tell training
images from decoded prior draws, and the decoder, in the reconstruction
phase, also learns to fool it (the non-saturating loss of Goodfellow et al.,
2014, weighted by `weight`), as the VAE-GAN of Larsen et al. (2016) does for
a VAE. The codes' adversary and the reconstruction are unchanged.

Example:

>>> from keras_aae import models, networks
>>> adversary = models.SampleAdversary.for_images((28, 28, 1))
>>> # model = models.AdversarialAutoencoder(..., sample_adversary=adversary)
"""

import copy

import keras
import tensorflow as tf
from keras import ops

from keras_aae import networks
from keras_aae._validation import check_keras_model
from keras_aae._validation import check_non_negative_number

# Measured on MNIST with the seed tutorial's networks (benchmarks/README.md,
# "Samples that read as digits"): a larger weight gives better samples and a
# larger reconstruction error.
DEFAULT_WEIGHT = 0.02
DEFAULT_HIDDEN = (256,)
# Adam's, as the codes' discriminator's.
DEFAULT_LEARNING_RATE = 5e-4
# A model's `sample_adversary="auto"`: one with these defaults.
AUTO = "auto"
# The phase it adds to a model, and what the model logs besides.
PHASE = "sample_discriminator"
LOGGED = ("sample_discriminator_loss", "sample_generator_loss")


@keras.saving.register_keras_serializable(package="keras_aae")
class SampleAdversary(keras.layers.Layer):
    """A discriminator on images and the weight of the decoder's loss.

    Given to a model as `sample_adversary=`, it adds the phase
    `sample_discriminator` (its own optimizer; `compile` takes
    `sample_discriminator_optimizer` / `_learning_rate` like the others)
    and adds `weight` times its generator loss to the reconstruction
    phase's loss. The model logs `sample_discriminator_loss` and
    `sample_generator_loss`.

    Args:
        discriminator: A `keras.Model` from images (the decoder's output
            shape) to one logit per image, "a training image".
        weight: Non-negative weight of the decoder's adversarial loss in
            the reconstruction phase (0 trains the discriminator only).
        **kwargs: Passed to `keras.layers.Layer`.

    Raises:
        TypeError: If `discriminator` is not a `keras.Model`.
        ValueError: If `weight` is negative.

    Example:

    >>> adversary = SampleAdversary(
    ...     networks.mlp_image_discriminator((28, 28, 1)), weight=0.05
    ... )
    """

    def __init__(self, discriminator, weight=DEFAULT_WEIGHT, **kwargs):
        super().__init__(**kwargs)
        self.discriminator = check_keras_model(discriminator, "discriminator")
        self.weight = check_non_negative_number(weight, "weight")
        self.built = True

    @classmethod
    def for_images(cls, input_shape, hidden=DEFAULT_HIDDEN, **kwargs):
        """A sample adversary with an MLP discriminator
        (`keras_aae.networks.mlp_image_discriminator`) for `input_shape`."""
        return cls(
            networks.mlp_image_discriminator(input_shape, hidden), **kwargs
        )

    def call(self, images, training=False):
        """The discriminator's logits `(n, 1)`: "a training image"."""
        return self.discriminator(images, training=training)

    def discriminator_loss(self, real, fake, training=True):
        """The discriminator's loss (float32 scalar): `real` training
        images vs `fake` decoded prior draws."""
        real_logits = ops.cast(self(real, training=training), "float32")
        fake_logits = ops.cast(self(fake, training=training), "float32")
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(
            ops.softplus(fake_logits)
        )

    def generator_loss(self, fake, training=True):
        """The decoder's non-saturating loss on decoded draws `fake`,
        unweighted: `-log D(fake)` averaged."""
        logits = ops.cast(self(fake, training=training), "float32")
        return ops.mean(ops.softplus(-logits))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "discriminator": keras.saving.serialize_keras_object(
                    self.discriminator
                ),
                "weight": self.weight,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        # Keras' deserialization consumes nested dicts: work on a copy.
        config = copy.deepcopy(config)
        config["discriminator"] = keras.saving.deserialize_keras_object(
            config["discriminator"]
        )
        return cls(**config)


class SampleAdversaryPhase:
    """A model mixin: the phase of an optional `SampleAdversary`.

    The model calls `_set_sample_adversary` in its constructor,
    `_check_sample_adversary` with its structure checks, `_sample_draws`
    with its step's random numbers, `_sample_discriminator_phase` before
    its reconstruction phase, `_sample_generator_loss` inside it and
    `_sample_test_results` in its test step. It
    provides `decoder`, `code_prior`, `seed_generator`, `_PHASES`,
    `_LOGGED`, `_decoder_input` and `_minimize`.
    """

    def _set_sample_adversary(self, adversary):
        """Sets `sample_adversary` from None, `"auto"` (an MLP judge of the
        decoder's images), a `SampleAdversary` or its config, and adds its
        phase and logs to this instance (a model without one keeps the
        paper's)."""
        if isinstance(adversary, dict):
            adversary = keras.saving.deserialize_keras_object(adversary)
        elif adversary == AUTO:
            adversary = SampleAdversary.for_images(
                self.decoder.outputs[0].shape[1:]
            )
        if adversary is not None and not isinstance(adversary, SampleAdversary):
            raise TypeError(
                "`sample_adversary` must be a keras_aae.models.SampleAdversary"
                ", its config, 'auto' or None. Received: "
                f"sample_adversary={adversary!r}"
            )
        self.sample_adversary = adversary
        if adversary is not None:
            self._PHASES = self._PHASES + (PHASE,)
            self._LOGGED = self._LOGGED + LOGGED
            self._DEFAULT_LEARNING_RATES = {
                **self._DEFAULT_LEARNING_RATES,
                PHASE: DEFAULT_LEARNING_RATE,
            }

    def _check_sample_adversary(self):
        """Raises `ValueError` if the adversary cannot judge the decoder's
        images."""
        if self.sample_adversary is None:
            return
        judge = self.sample_adversary.discriminator
        for what, got, expected in (
            (
                "input",
                judge.inputs[0].shape[1:],
                self.decoder.outputs[0].shape[1:],
            ),
            ("output", judge.outputs[0].shape[1:], (1,)),
        ):
            if tuple(got) != tuple(expected):
                raise ValueError(
                    f"The sample adversary's {what} shape must be "
                    f"{tuple(expected)} to fit the decoder. Received: sample "
                    f"adversary's {what} shape {tuple(got)}"
                )

    def _sample_variables(self):
        """`{phase: variables}` of the adversary's phase; {} without one."""
        if self.sample_adversary is None:
            return {}
        return {PHASE: self.sample_adversary.trainable_variables}

    def _sample_draws(self, x):
        """The step's prior codes to decode (`{"decoded": ...}`), drawn
        outside the compiled phases; {} without an adversary."""
        if self.sample_adversary is None:
            return {}
        codes = self.code_prior.sample(
            ops.shape(x)[0], seed=self.seed_generator
        )
        return {"decoded": codes}

    def _decode_draws(self, prior_codes, labels, training):
        return self.decoder(
            self._decoder_input(prior_codes, labels), training=training
        )

    def _sample_discriminator_phase(self, x, labels, prior_codes):
        """The image discriminator learns to tell `x` from decoded
        `prior_codes` (before the reconstruction phase, whose decoder it
        then judges). Returns `{"sample_discriminator_loss": ...}`; {}
        without prior codes."""
        if prior_codes is None:
            return {}
        adversary = self.sample_adversary
        fakes = self._decode_draws(prior_codes, labels, training=True)
        with tf.GradientTape() as tape:
            judged = adversary.discriminator_loss(x, ops.stop_gradient(fakes))
        self._minimize(PHASE, tape, judged, adversary.trainable_variables)
        return {"sample_discriminator_loss": judged}

    def _sample_generator_loss(self, prior_codes, labels):
        """The decoder's unweighted loss on decoded `prior_codes`, for the
        reconstruction phase's tape."""
        fakes = self._decode_draws(prior_codes, labels, training=True)
        return self.sample_adversary.generator_loss(fakes)

    def _sample_test_results(self, x, labels):
        """Both losses on `x` and as many decoded prior draws; {} without
        an adversary."""
        adversary = self.sample_adversary
        if adversary is None:
            return {}
        codes = self._sample_draws(x)["decoded"]
        fakes = self._decode_draws(codes, labels, training=False)
        judged = adversary.discriminator_loss(x, fakes, training=False)
        return {
            "sample_discriminator_loss": judged,
            "sample_generator_loss": adversary.generator_loss(
                fakes, training=False
            ),
        }
