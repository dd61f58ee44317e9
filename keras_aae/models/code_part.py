"""`CodePart`: a slice of the code matched to a prior by a discriminator."""

import collections

from keras_aae.models import losses


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
        else:
            real_logits = self.discriminator(z_real, training=training)
        fake_logits = self.discriminator(z_fake, training=training)
        loss = 0.5 * (
            losses.binary_crossentropy_to(1.0, real_logits)
            + losses.binary_crossentropy_to(0.0, fake_logits)
        )
        accuracy = losses.discriminator_accuracy(real_logits, fake_logits)
        return loss + penalty_weight * penalty, accuracy

    def generator_loss(self, z_fake, training):
        """The generator's loss: codes judged as prior samples (section 2)."""
        logits = self.discriminator(z_fake, training=training)
        return losses.binary_crossentropy_to(1.0, logits)
