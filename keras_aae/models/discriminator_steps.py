"""How many discriminator updates a batch gets: a count, or `"auto"`.

The paper (section 2) alternates one discriminator update with one generator
update per batch. With the seed tutorial's small discriminator (64-256-1
next to a 784-256-64 encoder) one update cannot keep up with the encoder and
the codes drift from the prior; five updates halve the codes' distance to it
(MMD, largest moment gap). With the paper's discriminator (8-1000-1000-1, as
big as the encoder) one update is enough: on three seeds of MNIST, 10
epochs, it matched the prior better (MMD 0.0032 against 0.0144), with a
lower reconstruction error and Frechet distance, a 3-nat lower Parzen
estimate, and half the work per image (benchmarks/README.md, issue 28).

`"auto"` follows that: as many updates as fit in the autoencoder's own work,
`floor(autoencoder parameters / (2 * discriminator parameters))` (each
update reads a batch of prior samples and a batch of codes), between 1 and
`MAX_AUTO_STEPS`. The seed's networks get 5, the paper's get 1. It is the
unsupervised model's default; the supervised and categorical variants keep
`VARIANT_STEPS`, the label-informed model and domain adaptation their own.
"""

from keras_aae._validation import check_positive_int

AUTO = "auto"
MAX_AUTO_STEPS = 5
# The supervised and categorical variants keep five by default: their
# benchmarks (benchmarks/variants.py) measured five, and `"auto"` was
# measured on the unsupervised model only.
VARIANT_STEPS = 5


def check(value):
    """Returns `value` if it is `"auto"` or a positive int.

    Raises:
        TypeError: If `value` is neither a string nor an int.
        ValueError: If `value` is another string or not positive.
    """
    if isinstance(value, str):
        if value != AUTO:
            raise ValueError(
                f"`discriminator_steps` must be a positive int or {AUTO!r}. "
                f"Received: discriminator_steps={value!r}"
            )
        return value
    return check_positive_int(value, "discriminator_steps")


def balanced(autoencoder_params, discriminator_params):
    """The `"auto"` count for networks of these sizes.

    Args:
        autoencoder_params: Parameters of the encoder and decoder together.
        discriminator_params: Parameters of every discriminator together.

    Returns:
        An int between 1 and `MAX_AUTO_STEPS`.

    Example:

    >>> balanced(434_000, 16_900)  # the seed tutorial's networks
    5
    >>> balanced(3_580_000, 1_010_000)  # the paper's 2x1000 networks
    1
    """
    steps = int(autoencoder_params) // max(1, 2 * int(discriminator_params))
    return max(1, min(MAX_AUTO_STEPS, steps))


def resolve(value, model):
    """`value` as a count: `"auto"` through `balanced`, an int as it is.

    Args:
        value: `"auto"` or a positive int (`check`ed).
        model: An `AdversarialAutoencoder` (or variant) whose `encoder` and
            `decoder` count as the autoencoder and whose
            `regularized_parts()` hold its discriminators.

    Returns:
        A positive int.
    """
    value = check(value)
    if value != AUTO:
        return value
    discriminators = {
        id(p.discriminator): p.discriminator for p in model.regularized_parts()
    }
    return balanced(
        model.encoder.count_params() + model.decoder.count_params(),
        sum(d.count_params() for d in discriminators.values()),
    )
