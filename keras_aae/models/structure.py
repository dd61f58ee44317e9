"""Checks that a model's networks, posterior and prior fit together.

Example:

>>> # size = code_size(encoder, posterior)
>>> # prior = sized_prior("gaussian", size)
"""

from keras_aae import priors as priors_lib


def check_shapes(*checks):
    """Raises `ValueError` for the first `(what, got, expected)` whose
    shapes differ, naming `what` and both shapes."""
    for what, got, expected in checks:
        if tuple(got) != tuple(expected):
            raise ValueError(
                f"The {what} shape must be {tuple(expected)} to fit the "
                f"other networks. Received: {what} shape {tuple(got)}"
            )


def sized_prior(prior, size):
    """`prior` (a name is built with `size`), checked to be `size`-D.

    Raises:
        ValueError: If the prior's `latent_dim` is not `size`.
    """
    if isinstance(prior, str):
        prior = priors_lib.get(prior, latent_dim=size)
    if prior.latent_dim != size:
        raise ValueError(
            "The prior's latent_dim must equal the size of the code it "
            f"regularizes ({size}). Received: prior.latent_dim="
            f"{prior.latent_dim}"
        )
    return prior


def code_size(encoder, posterior):
    """The code size of `encoder`'s output read through `posterior`.

    Raises:
        ValueError: If the output's width does not fit the posterior.
    """
    width = int(encoder.outputs[0].shape[-1])
    per_dim = posterior.outputs_per_dim
    if width % per_dim:
        raise ValueError(
            f"A {type(posterior).__name__}'s encoder outputs {per_dim} "
            "numbers per code entry: its output size must be a multiple of "
            f"{per_dim}. Received: encoder output size {width}"
        )
    return width // per_dim


def check_reconstruction_loss(name, choices):
    """`name` if it is one of `choices`, else `ValueError`."""
    if name not in choices:
        raise ValueError(
            f"`reconstruction_loss` must be one of {choices}. "
            f"Received: reconstruction_loss={name!r}"
        )
    return name
