"""The losses of the paper's phases, per batch, in float32.

Each takes and returns backend tensors (`keras.ops`); the phases average
them over the batch.
"""

import tensorflow as tf
from keras import ops

RECONSTRUCTION_LOSSES = ("mse", "binary_crossentropy")


def per_example_reconstruction_loss(name, x, x_hat):
    """Mean squared error or binary cross-entropy per example.

    Args:
        name: One of `RECONSTRUCTION_LOSSES`.
        x: Images.
        x_hat: Reconstructions of the same shape.

    Returns:
        A tensor `(n,)`: the loss averaged over each example's entries.
    """
    axes = tuple(range(1, len(x.shape)))
    if name == "mse":
        return ops.mean(ops.square(x - x_hat), axis=axes)
    x_hat = ops.clip(x_hat, 1e-7, 1.0 - 1e-7)
    bce = -(x * ops.log(x_hat) + (1.0 - x) * ops.log(1.0 - x_hat))
    return ops.mean(bce, axis=axes)


def binary_crossentropy_to(target, logits):
    """Mean binary cross-entropy of `logits` against the constant `target`
    (1.0: "from the prior", 0.0: "a code")."""
    logits = ops.cast(logits, "float32")
    return ops.mean(
        ops.binary_crossentropy(
            ops.full_like(logits, target), logits, from_logits=True
        )
    )


def discriminator_accuracy(real_logits, fake_logits):
    """Share of prior samples and codes the discriminator tells right."""
    return ops.mean(
        ops.concatenate(
            [
                ops.cast(real_logits > 0, "float32"),
                ops.cast(fake_logits <= 0, "float32"),
            ],
            axis=0,
        )
    )


def sparse_cross_entropy(labels, probabilities):
    """`-log p(label)` per example, from probabilities `(n, K)`."""
    picked = ops.take_along_axis(probabilities, labels[:, None], axis=1)[:, 0]
    return -ops.log(ops.clip(picked, 1e-7, 1.0))


def r1_penalty(discriminator, z_real):
    """The R1 penalty (Mescheder et al., 2018) at prior samples `z_real`.

    Half the mean squared norm of the discriminator's gradient there, a
    common GAN stabilizer. Off by default in the models: on the seed setup it
    let the discriminator win (benchmarks/README.md).

    Returns:
        `(logits, penalty)`: the discriminator's logits at `z_real` (from the
        same forward pass) and the unweighted penalty.
    """
    with tf.GradientTape() as tape:
        tape.watch(z_real)
        logits = discriminator(z_real, training=True)
        total = ops.sum(logits)
    grads = tape.gradient(total, z_real)
    return logits, 0.5 * ops.mean(ops.sum(ops.square(grads), axis=-1))
