"""The paper's family by name: build a variant, make its training data.

Each variant is a class of `keras_aae.models` that trains with the base
model's phases (`train_step` is not copied); this module maps the names the
command line and the benchmarks use to those classes (`VARIANTS`), builds
one with MLP networks of the right sizes (`build`) and turns arrays into
the `fit` input it expects (`training_dataset`).

Labels go through `fit` as `y`; in the (semi-)label-informed variants an
unlabeled example carries the label -1 (see `keras_aae.data.hide_labels`
and `keras_aae.data.semi_supervised_dataset`).

Example:

>>> from keras_aae import variants
>>> model = variants.build("semi_supervised", (28, 28, 1), 10, hidden=[256])
>>> model.compile()
>>> # model.fit(variants.training_dataset("semi_supervised", x, y,
>>> #                                     num_labels=100), epochs=10)
"""

from keras_aae import data
from keras_aae import networks
from keras_aae import posteriors as posteriors_lib
from keras_aae import priors as priors_lib
from keras_aae.models import AdversarialAutoencoder
from keras_aae.models import ClusteringAdversarialAutoencoder
from keras_aae.models import DimensionalityReductionAdversarialAutoencoder
from keras_aae.models import DomainAdaptationAdversarialAutoencoder
from keras_aae.models import LabelInformedAdversarialAutoencoder
from keras_aae.models import SemiSupervisedAdversarialAutoencoder
from keras_aae.models import SupervisedAdversarialAutoencoder
from keras_aae.models.adversarial_autoencoder import DEFAULT_POSTERIOR

__all__ = [
    "VARIANTS",
    "build",
    "training_dataset",
    # The classes, as before they moved to `keras_aae.models`.
    "ClusteringAdversarialAutoencoder",
    "DimensionalityReductionAdversarialAutoencoder",
    "DomainAdaptationAdversarialAutoencoder",
    "LabelInformedAdversarialAutoencoder",
    "SemiSupervisedAdversarialAutoencoder",
    "SupervisedAdversarialAutoencoder",
]

_MIXTURE_PRIORS = ("mixture", "mixture_of_gaussians", "swiss_roll")
_CATEGORICAL = (
    "semi_supervised",
    "clustering",
    "dimensionality_reduction",
    "domain_adaptation",
)


def _variant_class(variant):
    key = str(variant).lower().replace("-", "_")
    if key not in VARIANTS:
        raise ValueError(
            f"Unknown variant. Expected one of {sorted(VARIANTS)}. "
            f"Received: variant={variant!r}"
        )
    return key, VARIANTS[key]


def build(
    variant,
    input_shape,
    latent_dim,
    hidden=(1000, 1000),
    num_classes=10,
    prior=None,
    discriminator_hidden=None,
    architecture="mlp",
    **kwargs,
):
    """Builds a variant with networks of the right sizes.

    Args:
        variant: A name from `VARIANTS`: `"unsupervised"`, `"label_informed"`,
            `"supervised"`, `"semi_supervised"`, `"clustering"`,
            `"dimensionality_reduction"` or `"domain_adaptation"`.
        input_shape: Shape of one example, e.g. `(28, 28, 1)`.
        latent_dim: Positive int, the size of the code that a continuous prior
            regularizes (the style in sections 4-7; the representation's size
            in section 7).
        hidden: Hidden sizes of every MLP (the paper: `[1000, 1000]`).
        num_classes: Classes (or clusters, for `"clustering"`).
        prior: Prior name or object for that code; defaults to a Gaussian,
            or a mixture of `num_classes` Gaussians when label-informed.
        discriminator_hidden: Hidden sizes of the discriminators (None:
            `hidden`).
        architecture: `"mlp"`, or `"conv"` for the unsupervised variant:
            `keras_aae.networks.conv_encoder` and `conv_decoder` (their own
            sizes; `hidden` sizes the discriminator).
        **kwargs: Passed to the model's constructor (e.g. `seed`,
            `posterior`: the encoder gets the outputs it needs).

    Returns:
        An uncompiled model.

    Raises:
        ValueError: On an unknown variant or architecture, `"conv"` for a
            variant other than `"unsupervised"`, or sizes that do not fit.

    Example:

    >>> model = build("clustering", (28, 28, 1), 5, hidden=[256], num_classes=16)
    >>> model.compile()
    """
    key, cls = _variant_class(variant)
    _check_architecture(architecture, key)
    k = num_classes
    if prior is None:
        prior = "mixture" if key == "label_informed" else "gaussian"
    if (
        isinstance(prior, str)
        and prior.lower().replace("-", "_") in _MIXTURE_PRIORS
    ):
        prior = priors_lib.get(prior, latent_dim=latent_dim, num_components=k)
    mlp = dict(hidden=hidden)
    judge = dict(
        hidden=hidden if discriminator_hidden is None else discriminator_hidden
    )
    if key in _CATEGORICAL:
        encoder = networks.mlp_categorical_encoder(
            input_shape, k, latent_dim, **mlp
        )
        # The domain adaptation model's networks also read the domain.
        domains = 2 if key == "domain_adaptation" else 0
        if key == "dimensionality_reduction":
            decoder = networks.cluster_head_decoder(
                k, latent_dim, input_shape, **mlp
            )
        else:
            decoder = networks.mlp_decoder(
                k + latent_dim + domains, input_shape, **mlp
            )
        size = "num_clusters" if key == "clustering" else "num_classes"
        judges = [
            networks.mlp_discriminator(latent_dim + domains, **judge),
            networks.mlp_discriminator(
                k + domains, name="categorical_discriminator", **judge
            ),
        ]
        if domains:
            judges.append(
                networks.mlp_discriminator(
                    k + latent_dim, name="domain_discriminator", **judge
                )
            )
        return cls(
            encoder,
            decoder,
            *judges,
            prior=prior,
            **{size: k},
            **kwargs,
        )
    per_dim = posteriors_lib.get(
        kwargs.get("posterior", DEFAULT_POSTERIOR)
    ).outputs_per_dim
    decoder_input = latent_dim + (k if key == "supervised" else 0)
    if architecture == "conv":
        encoder = networks.conv_encoder(input_shape, latent_dim * per_dim)
        decoder = networks.conv_decoder(decoder_input, input_shape)
    else:
        encoder = networks.mlp_encoder(input_shape, latent_dim * per_dim, **mlp)
        decoder = networks.mlp_decoder(decoder_input, input_shape, **mlp)
    judged = latent_dim + (k + 1 if key == "label_informed" else 0)
    if key == "supervised" and kwargs.get("independent_style"):
        judged += k  # the one-hot label beside the style
    discriminator = networks.mlp_discriminator(judged, **judge)
    if key != "unsupervised":
        kwargs["num_classes"] = k
    return cls(encoder, decoder, discriminator, prior=prior, **kwargs)


ARCHITECTURES = ("mlp", "conv")


def _check_architecture(architecture, key):
    if architecture not in ARCHITECTURES:
        raise ValueError(
            f"`architecture` must be one of {ARCHITECTURES}. Received: "
            f"architecture={architecture!r}"
        )
    if architecture == "conv" and key != "unsupervised":
        raise ValueError(
            "The convolutional networks are for the unsupervised variant. "
            f"Received: architecture='conv' with variant={key!r}"
        )


def training_dataset(
    variant,
    images,
    labels=None,
    num_labels=None,
    batch_size=128,
    seed=None,
    epochs=None,
    initial_epoch=0,
    order=None,
    drop_remainder=False,
    target_images=None,
):
    """The `fit` input a variant expects, from arrays.

    Unsupervised and clustering models get the images only; supervised ones
    every label; label-informed and semi-supervised ones `num_labels`
    labels (equally many per class, seeded; None keeps all), the rest
    hidden as -1. Semi-supervised batches carry a labeled mini-batch of the
    same size (`keras_aae.data.semi_supervised_dataset`). Domain adaptation
    batches hold `images` with their labels (the source) and as many
    `target_images` without (`keras_aae.data.domain_adaptation_dataset`;
    each epoch one pass over the larger domain, remainders dropped).

    Args:
        variant: A name from `VARIANTS`.
        images: Array of images.
        labels: Int labels `(n,)`; required by every variant that uses them.
        num_labels: Labels kept for the (semi-)label-informed variants.
        batch_size: Positive int.
        seed: Optional int seed of the shuffles and the label choice.
        epochs: Optional; as in `keras_aae.data.as_dataset`, for runs that
            resume with exactly the batches they would have seen.
        initial_epoch: As in `keras_aae.data.as_dataset`.
        order: Optional `keras_aae.data.EpochOrder` (pass it to `fit` as a
            callback too): each epoch's order then depends on the seed and
            the epoch only, for runs that resume exactly.
        drop_remainder: Whether each epoch drops its last, smaller batch.
        target_images: The unlabeled target domain's images, for
            `"domain_adaptation"` (which does not take `epochs`).

    Returns:
        A `tf.data.Dataset`.

    Raises:
        ValueError: If the variant needs labels (or target images) and none
            are given.
    """
    key, _ = _variant_class(variant)
    common = {
        "batch_size": batch_size,
        "seed": seed,
        "epochs": epochs,
        "initial_epoch": initial_epoch,
        "order": order,
    }
    if key in ("unsupervised", "clustering"):
        return data.as_dataset(images, drop_remainder=drop_remainder, **common)
    if labels is None:
        raise ValueError(
            f"The {key} variant trains on labels. Received: labels=None"
        )
    if key == "domain_adaptation":
        if target_images is None or epochs is not None:
            raise ValueError(
                "The domain_adaptation variant trains on `target_images` "
                "beside the labeled `images`, and resumes through `order` "
                f"(not `epochs`). Received: target_images={type(target_images).__name__}, "
                f"epochs={epochs!r}"
            )
        return data.domain_adaptation_dataset(
            (images, labels), target_images, batch_size, seed, order
        )
    if key == "supervised":
        return data.as_dataset(
            images, labels, drop_remainder=drop_remainder, **common
        )
    kept = data.hide_labels(labels, num_labels, seed=seed or 0)
    if key == "label_informed":
        return data.as_dataset(
            images, kept, drop_remainder=drop_remainder, **common
        )
    return data.semi_supervised_dataset(
        images, kept, drop_remainder=drop_remainder, **common
    )


VARIANTS = {
    "unsupervised": AdversarialAutoencoder,
    "label_informed": LabelInformedAdversarialAutoencoder,
    "supervised": SupervisedAdversarialAutoencoder,
    "semi_supervised": SemiSupervisedAdversarialAutoencoder,
    "clustering": ClusteringAdversarialAutoencoder,
    "dimensionality_reduction": DimensionalityReductionAdversarialAutoencoder,
    "domain_adaptation": DomainAdaptationAdversarialAutoencoder,
}
