"""`CodePart`: a slice of the code matched to a prior by a discriminator."""

import collections

import keras
from keras import ops

from keras_aae.models import losses


def _mixes_examples(model):
    """Whether `model`'s output for one example depends on the others in
    its batch (batch normalization in training does)."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            return True
        if isinstance(layer, keras.Model) and _mixes_examples(layer):
            return True
    return False


class CodePart(
    collections.namedtuple(
        "CodePart", ["start", "size", "discriminator", "prior", "noise_stddev"]
    )
):
    """A slice of the code, matched to `prior` by `discriminator`.

    The unsupervised model has one part, the whole code; the categorical
    models (paper sections 5-7) two: the class probabilities `y`, matched to
    a categorical prior, and the style `z`. Models list theirs in
    `regularized_parts()`, and the regularization phase runs once per part.

    Attributes:
        start: Index of the part's first entry in the code.
        size: Number of entries.
        discriminator: The `keras.Model` telling prior samples from codes.
        prior: The `keras_aae.priors.Prior` the part is matched to.
        noise_stddev: Standard deviation of the instance noise added to
            both sides during training (0 for none).

    Example:

    >>> # part = model.regularized_parts()[0]
    >>> # style = codes[:, part.start : part.start + part.size]
    """

    def slice(self, codes):
        """This part's entries of `codes` `(n, code size)`."""
        return codes[:, self.start : self.start + self.size]

    def discriminator_loss(self, z_real, z_fake, training, penalty_weight=0.0):
        """The discriminator's loss on prior samples vs codes (section 2).

        Args:
            z_real: Discriminator inputs made from prior samples (label 1).
            z_fake: Discriminator inputs made from codes (label 0).
            training: Whether the discriminator runs in training mode.
            penalty_weight: Weight of the R1 penalty, applied in training.

        Returns:
            `(loss, accuracy)`.
        """
        penalty = 0.0
        if penalty_weight and training:
            real_logits, penalty = losses.r1_penalty(self.discriminator, z_real)
            fake_logits = self.discriminator(z_fake, training=training)
        else:
            real_logits, fake_logits = self._judge_both(
                z_real, z_fake, training
            )
        loss = 0.5 * (
            losses.binary_crossentropy_to(1.0, real_logits)
            + losses.binary_crossentropy_to(0.0, fake_logits)
        )
        accuracy = losses.discriminator_accuracy(real_logits, fake_logits)
        return loss + penalty_weight * penalty, accuracy

    def _judge_both(self, z_real, z_fake, training):
        """The logits of both sides, in one pass when that is the same.

        One pass over the two batches stacked runs each layer as one matmul
        twice the height, which a CPU does faster than two; a network whose
        batch statistics would mix the sides gets two passes.
        """
        if _mixes_examples(self.discriminator):
            return (
                self.discriminator(z_real, training=training),
                self.discriminator(z_fake, training=training),
            )
        logits = self.discriminator(
            ops.concatenate([z_real, z_fake], axis=0), training=training
        )
        num_real = ops.shape(z_real)[0]
        return logits[:num_real], logits[num_real:]

    def generator_loss(self, z_fake, training):
        """The generator's loss: codes judged as prior samples (section 2)."""
        logits = self.discriminator(z_fake, training=training)
        return losses.binary_crossentropy_to(1.0, logits)
