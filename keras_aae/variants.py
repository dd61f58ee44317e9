"""The paper's family of adversarial autoencoders (Makhzani et al., 2015).

Every variant is an `AdversarialAutoencoder` and trains with the same
phases (`train_step` is not copied): a variant only changes what the
networks see, through the base model's hooks, and the semi-supervised ones
add one phase.

- `LabelInformedAdversarialAutoencoder` (section 2.3): the discriminator also
  sees the one-hot label (plus a class for unlabeled examples), and a
  labeled example's prior sample comes from its label's component.
- `SupervisedAdversarialAutoencoder` (section 4): the decoder reads the
  one-hot label beside the code, so the code keeps only the style.
- `SemiSupervisedAdversarialAutoencoder` (section 5): the encoder outputs a
  softmax `y` and a style `z`, each matched to its prior (categorical,
  Gaussian) by its own discriminator, plus a classification phase on the
  labeled examples.
- `ClusteringAdversarialAutoencoder` (section 6): the same without labels;
  `y` is the cluster.
- `DimensionalityReductionAdversarialAutoencoder` (section 7): the decoder
  reads `W y + z` (cluster heads plus style) and a cost pushes the heads
  apart.

Labels go through `fit` as `y`; in the (semi-)label-informed variants an
unlabeled example carries the label -1 (see `keras_aae.data.hide_labels`
and `keras_aae.data.semi_supervised_dataset`).

Example:

>>> from keras_aae import networks, variants
>>> model = variants.SemiSupervisedAdversarialAutoencoder(
...     encoder=networks.mlp_categorical_encoder((28, 28, 1), 10, 10, [256]),
...     decoder=networks.mlp_decoder(20, (28, 28, 1), [256]),
...     discriminator=networks.mlp_discriminator(10, [256]),
...     categorical_discriminator=networks.mlp_discriminator(10, [256]),
...     num_classes=10,
... )
>>> model.compile()
>>> # model.fit(data.semi_supervised_dataset(x, y_with_minus_ones), epochs=10)
"""

import keras
import numpy as np
from keras import ops

from keras_aae import priors as priors_lib
from keras_aae._validation import check_non_negative_number
from keras_aae._validation import check_positive_int
from keras_aae.model import AdversarialAutoencoder
from keras_aae.model import _Part
from keras_aae.model import _prior_scale
from keras_aae.model import _tape
from keras_aae.networks import ClusterHeads

_PACKAGE = "keras_aae"


def _int_labels(y):
    return ops.reshape(ops.cast(y, "int32"), (-1,))


def _sparse_cross_entropy(labels, probabilities):
    picked = ops.take_along_axis(probabilities, labels[:, None], axis=1)[:, 0]
    return -ops.log(ops.clip(picked, 1e-7, 1.0))


def _batch_size(z):
    return ops.shape(z)[0]


class _LabelsMixin:
    """Shared argument checks of the variants that take `num_classes`."""

    @staticmethod
    def _check_num_classes(num_classes, name="num_classes"):
        num_classes = check_positive_int(num_classes, name)
        if num_classes < 2:
            raise ValueError(
                f"`{name}` must be at least 2. Received: {name}={num_classes}"
            )
        return num_classes


@keras.saving.register_keras_serializable(package=_PACKAGE)
class LabelInformedAdversarialAutoencoder(_LabelsMixin, AdversarialAutoencoder):
    """Label-informed regularization (paper section 2.3, figure 4).

    The discriminator receives the code with a one-hot label of
    `num_classes + 1` entries, the last one meaning "unlabeled". A labeled
    example's prior sample is drawn from the mixture component (or swiss
    roll segment) of its label, an unlabeled one's from the whole prior, so
    the encoder learns to put each class in its own component.

    Args:
        encoder: A `keras.Model` mapping inputs to codes `(n, latent_dim)`.
        decoder: A `keras.Model` mapping codes back to inputs.
        discriminator: A `keras.Model` mapping
            `(n, latent_dim + num_classes + 1)` to logits `(n, 1)`.
        prior: A prior with `sample_components` and `num_components ==
            num_classes` (`"mixture"` or `"swiss_roll"`), as a name or object.
        num_classes: Int >= 2, the number of classes.
        discriminator_noise: As in `AdversarialAutoencoder`; 0 here, since
            instance noise blurs the components the labels point to.
        discriminator_steps: As in `AdversarialAutoencoder`; 2 here.
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the prior has no components or not one per class, or
            the networks' shapes do not fit together.

    Example:

    >>> from keras_aae import networks
    >>> model = LabelInformedAdversarialAutoencoder(
    ...     networks.mlp_encoder((28, 28, 1), 2, [256]),
    ...     networks.mlp_decoder(2, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(2 + 11, [256]),
    ...     prior="mixture", num_classes=10)
    >>> # model.fit(images, labels_with_minus_ones, epochs=10)
    """

    # Measured on the digits (2-D codes, all labels): the core defaults (5
    # discriminator steps, instance noise, Adam without momentum) let the
    # discriminator win here and the classes reached their components
    # slowly (about 38 % after 100 epochs); 2 steps, no noise, beta_1=0.5
    # and 2e-3 for both adversarial players reach 90 % in 20 epochs.
    _DEFAULT_LEARNING_RATES = {
        **AdversarialAutoencoder._DEFAULT_LEARNING_RATES,
        "discriminator": 2e-3,
        "generator": 2e-3,
    }
    _ADAM_BETA_1 = 0.5

    def __init__(self, encoder, decoder, discriminator, prior="mixture",
                 num_classes=10, discriminator_noise=0.0, discriminator_steps=2,
                 **kwargs):
        self.num_classes = self._check_num_classes(num_classes)
        super().__init__(
            encoder, decoder, discriminator, prior=prior,
            discriminator_noise=discriminator_noise,
            discriminator_steps=discriminator_steps, **kwargs,
        )
        if not hasattr(self.prior, "sample_components") or (
            self.prior.num_components != self.num_classes
        ):
            raise ValueError(
                "Label-informed regularization needs a prior with one component "
                f"per class ({self.num_classes}): a mixture of Gaussians or a "
                f"swiss roll. Received: prior={self.prior!r}"
            )

    def _discriminator_input_dim(self, part):
        return part.size + self.num_classes + 1

    def _labels(self, y):
        return None if y is None else _int_labels(y)

    def _label_bounds(self):
        return (-1, self.num_classes - 1)

    def _one_hot(self, labels, batch_size):
        if labels is None:
            labels = ops.full((batch_size,), self.num_classes, dtype="int32")
        labels = ops.where(labels < 0, self.num_classes, labels)
        return ops.one_hot(labels, self.num_classes + 1)

    def _discriminator_input(self, part, z, labels):
        return ops.concatenate(
            [z, ops.cast(self._one_hot(labels, _batch_size(z)), z.dtype)], axis=1
        )

    def _prior_draws(self, part, num_samples, labels):
        if labels is None:
            return super()._prior_draws(part, num_samples, labels)
        # Draws are made for several discriminator steps at once: the labels
        # repeat once per step, in the order the draws are reshaped.
        repeats = num_samples // ops.shape(labels)[0]
        labels = ops.tile(labels, [repeats])
        random = keras.random.randint(
            ops.shape(labels), 0, self.num_classes, seed=self.seed_generator,
            dtype="int32",
        )
        components = ops.where(labels < 0, random, labels)
        return part.prior.sample_components(components, seed=self.seed_generator)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SupervisedAdversarialAutoencoder(_LabelsMixin, AdversarialAutoencoder):
    """The supervised AAE (paper section 4, figure 6).

    The decoder reads the one-hot label beside the code, so the code is
    free to hold only the style (slant, thickness, ...). Decoding one
    image's code with every label writes every digit in that image's style
    (`transfer_style`). Every training example needs its label.

    Args:
        encoder: A `keras.Model` mapping inputs to style codes
            `(n, latent_dim)`.
        decoder: A `keras.Model` mapping `(n, latent_dim + num_classes)`
            (the code, then the one-hot label) back to inputs.
        discriminator: A `keras.Model` mapping codes to logits `(n, 1)`.
        num_classes: Int >= 2, the number of classes.
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Raises:
        ValueError: If the networks' shapes do not fit together; at `fit`,
            if the data has no labels.

    Example:

    >>> from keras_aae import networks
    >>> model = SupervisedAdversarialAutoencoder(
    ...     networks.mlp_encoder((28, 28, 1), 8, [256]),
    ...     networks.mlp_decoder(8 + 10, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(8, [256]), num_classes=10)
    >>> # model.fit(images, labels, epochs=10)
    >>> # grid = model.transfer_style(test_images[:10])   # (10, 10, 28, 28, 1)
    """

    def __init__(self, encoder, decoder, discriminator, prior="gaussian",
                 num_classes=10, **kwargs):
        self.num_classes = self._check_num_classes(num_classes)
        super().__init__(encoder, decoder, discriminator, prior=prior, **kwargs)

    def _decoder_input_dim(self, latent_dim):
        return latent_dim + self.num_classes

    def _labels(self, y):
        if y is None:
            raise ValueError(
                "A SupervisedAdversarialAutoencoder needs the label of every "
                "example: pass `fit(x, y)` or a dataset of (images, labels). "
                "Received: no labels"
            )
        return _int_labels(y)

    def _label_bounds(self):
        return (0, self.num_classes - 1)

    def _decoder_input(self, codes, labels):
        one_hot = ops.one_hot(labels, self.num_classes)
        return ops.concatenate([codes, ops.cast(one_hot, codes.dtype)], axis=1)

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
        labels = np.arange(self.num_classes) if labels is None else np.asarray(labels)
        codes = self.encode(x, batch_size)
        styles = np.repeat(codes, len(labels), axis=0)
        tiled = np.tile(labels, len(codes))
        inputs = ops.convert_to_numpy(self._decoder_input(styles, self._labels(tiled)))
        images = self.decode(inputs, batch_size)
        return images.reshape((len(codes), len(labels)) + images.shape[1:])

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SemiSupervisedAdversarialAutoencoder(_LabelsMixin, AdversarialAutoencoder):
    """The semi-supervised AAE (paper section 5, figure 8).

    The encoder's code is `(y, z)`: `y`, its first `num_classes` outputs, a
    softmax `q(y|x)`; `z`, the rest, the style. The decoder reads both. Each
    batch runs the reconstruction phase, the regularization phase for both
    parts (a categorical discriminator matches `y` to one-hot samples, the
    other matches `z` to `prior`), then the semi-supervised classification
    phase: the encoder's cross-entropy on the batch's labeled examples
    (label >= 0; unlabeled ones carry -1) with its own optimizer.

    Args:
        encoder: A `keras.Model` mapping inputs to `(n, num_classes +
            style_dim)` codes whose first `num_classes` entries are a
            softmax (`networks.mlp_categorical_encoder`).
        decoder: A `keras.Model` mapping those codes back to inputs.
        discriminator: A `keras.Model` judging styles `(n, style_dim)`.
        categorical_discriminator: A `keras.Model` judging `y`
            `(n, num_classes)`.
        prior: The style's prior (name, config or object).
        num_classes: Int >= 2, the number of classes.
        classification_weight: Non-negative weight of the cross-entropy.
        **kwargs: The other `AdversarialAutoencoder` arguments.

    `compile` also takes `classification_optimizer` and
    `classification_learning_rate`.

    Raises:
        ValueError: If the networks' shapes do not fit together.
        TypeError: If `categorical_discriminator` is not a `keras.Model`.

    Example: see the module docstring.
    """

    _PHASES = AdversarialAutoencoder._PHASES + ("classification",)
    _SERIALIZED = AdversarialAutoencoder._SERIALIZED + ("categorical_discriminator",)
    _SUPERVISED = True

    def __init__(self, encoder, decoder, discriminator, categorical_discriminator,
                 prior="gaussian", num_classes=10, classification_weight=1.0,
                 **kwargs):
        if not isinstance(categorical_discriminator, keras.Model):
            raise TypeError(
                "`categorical_discriminator` must be a keras.Model. Received: "
                f"categorical_discriminator={categorical_discriminator!r}"
            )
        self.num_classes = self._check_num_classes(num_classes)
        self.categorical_prior = priors_lib.CategoricalPrior(self.num_classes)
        self.categorical_discriminator = categorical_discriminator
        self.classification_weight = check_non_negative_number(
            classification_weight, "classification_weight"
        )
        super().__init__(encoder, decoder, discriminator, prior=prior, **kwargs)
        self._categorical_noise_stddev = self.discriminator_noise * _prior_scale(
            self.categorical_prior
        )
        self.classification_optimizer = None
        self.classification_loss_tracker = keras.metrics.Mean(
            name="classification_loss"
        )

    def _prior_dim(self):
        style_dim = self.latent_dim - self.num_classes
        if style_dim < 1:
            raise ValueError(
                "The encoder's code must hold the class probabilities and a "
                f"style: more than num_classes={self.num_classes} entries. "
                f"Received: code size {self.latent_dim}"
            )
        return style_dim

    def _regularized_parts(self):
        k = self.num_classes
        categorical_noise = getattr(self, "_categorical_noise_stddev", 0.0)
        return [
            _Part(0, k, self.categorical_discriminator, self.categorical_prior,
                  categorical_noise),
            _Part(k, self.latent_dim - k, self.discriminator, self.prior,
                  self._noise_stddev),
        ]

    @property
    def metrics(self):
        metrics = super().metrics
        if self._SUPERVISED:
            metrics = metrics + [self.classification_loss_tracker]
        return metrics

    @property
    def code_prior(self):
        return priors_lib.ConcatenatedPrior([self.categorical_prior, self.prior])

    def _labels(self, y):
        if y is None or not self._SUPERVISED:
            return None
        return _int_labels(y)

    def _label_bounds(self):
        return (-1, self.num_classes - 1) if self._SUPERVISED else None

    def _phase_variables(self):
        variables = super()._phase_variables()
        variables["classification"] = self.encoder.trainable_variables
        return variables

    def _classification_loss(self, probabilities, labels):
        """Cross-entropy of `q(y|x)` on the labeled examples (label >= 0)."""
        labeled = ops.cast(labels >= 0, "float32")
        safe = ops.where(labels >= 0, labels, 0)
        cross_entropy = _sparse_cross_entropy(safe, probabilities)
        count = ops.maximum(ops.sum(labeled), 1.0)
        return self.classification_weight * ops.sum(cross_entropy * labeled) / count

    def _classification_phase(self, x, labels):
        """Section 5, semi-supervised classification phase: the encoder
        minimizes the cross-entropy of `q(y|x)` on the labeled examples."""
        variables = self._phase_variables()["classification"]
        with _tape() as tape:
            codes = ops.cast(self.encoder(x, training=True), "float32")
            loss = self._classification_loss(codes[:, : self.num_classes], labels)
        self._minimize("classification", tape, loss, variables)
        return loss

    def _train_phases(self, x, labels, real_codes, noise):
        results = super()._train_phases(x, labels, real_codes, noise)
        if labels is not None:
            results["classification_loss"] = self._classification_phase(x, labels)
        return results

    def _test_results(self, x, labels):
        results = super()._test_results(x, labels)
        if labels is not None:
            codes = ops.cast(self.encoder(x, training=False), "float32")
            results["classification_loss"] = self._classification_loss(
                codes[:, : self.num_classes], labels
            )
        return results

    def predict_classes(self, x, batch_size=256):
        """Returns `q(y|x)`, the class probabilities `(n, num_classes)`."""
        return self.encode(x, batch_size)[:, : self.num_classes]

    def classify(self, x, batch_size=256):
        """Returns the most probable class of each example."""
        return np.argmax(self.predict_classes(x, batch_size), axis=1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "categorical_discriminator": keras.saving.serialize_keras_object(
                    self.categorical_discriminator
                ),
                "num_classes": self.num_classes,
                "classification_weight": self.classification_weight,
            }
        )
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ClusteringAdversarialAutoencoder(SemiSupervisedAdversarialAutoencoder):
    """Unsupervised clustering (paper section 6).

    The semi-supervised architecture without labels: `y` is a softmax over
    `num_clusters` clusters matched to a categorical prior, `z` the style.
    Labels given to `fit` are ignored. Score with
    `keras_aae.evaluation.clustering_accuracy` (the paper's rule takes the
    cluster probabilities of a few labeled validation examples).

    Args:
        encoder: Codes `(n, num_clusters + style_dim)`, softmax first.
        decoder: Maps those codes back to inputs.
        discriminator: Judges styles `(n, style_dim)`.
        categorical_discriminator: Judges `y` `(n, num_clusters)`.
        prior: The style's prior.
        num_clusters: Int >= 2 (the paper: 16 and 30 on MNIST).
        **kwargs: The other `AdversarialAutoencoder` arguments.

    Example:

    >>> from keras_aae import networks
    >>> model = ClusteringAdversarialAutoencoder(
    ...     networks.mlp_categorical_encoder((28, 28, 1), 16, 5, [256]),
    ...     networks.mlp_decoder(21, (28, 28, 1), [256]),
    ...     networks.mlp_discriminator(5, [256]),
    ...     networks.mlp_discriminator(16, [256]), num_clusters=16)
    >>> # model.fit(images, epochs=10); clusters = model.cluster(images)
    """

    _SUPERVISED = False

    def __init__(self, encoder, decoder, discriminator, categorical_discriminator,
                 prior="gaussian", num_clusters=16, **kwargs):
        kwargs.pop("num_classes", None)
        kwargs.pop("classification_weight", None)
        super().__init__(
            encoder, decoder, discriminator, categorical_discriminator,
            prior=prior, num_classes=self._check_num_classes(
                num_clusters, "num_clusters"), **kwargs,
        )

    @property
    def num_clusters(self):
        return self.num_classes

    def cluster(self, x, batch_size=256):
        """Returns the most probable cluster of each example."""
        return self.classify(x, batch_size)

    def get_config(self):
        config = super().get_config()
        config.pop("classification_weight")
        config["num_clusters"] = config.pop("num_classes")
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
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

    def __init__(self, encoder, decoder, discriminator, categorical_discriminator,
                 cluster_head_weight=1.0, **kwargs):
        self.cluster_head_weight = check_non_negative_number(
            cluster_head_weight, "cluster_head_weight"
        )
        super().__init__(
            encoder, decoder, discriminator, categorical_discriminator, **kwargs
        )
        self._cluster_heads()

    def _cluster_heads(self):
        # Looked up, not stored: a second reference would track the layer's
        # weights twice in checkpoints.
        heads = [l for l in self.decoder.layers if isinstance(l, ClusterHeads)]
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

    def get_config(self):
        return {**super().get_config(),
                "cluster_head_weight": self.cluster_head_weight}


_MIXTURE_PRIORS = ("mixture", "mixture_of_gaussians", "swiss_roll")


def _variant_class(variant):
    key = str(variant).lower().replace("-", "_")
    if key not in VARIANTS:
        raise ValueError(
            f"Unknown variant. Expected one of {sorted(VARIANTS)}. "
            f"Received: variant={variant!r}"
        )
    return key, VARIANTS[key]


def build(variant, input_shape, latent_dim, hidden=(1000, 1000), num_classes=10,
          prior=None, **kwargs):
    """Builds a variant with MLP networks of the right sizes.

    Args:
        variant: A name from `VARIANTS`: `"unsupervised"`, `"label_informed"`,
            `"supervised"`, `"semi_supervised"`, `"clustering"` or
            `"dimensionality_reduction"`.
        input_shape: Shape of one example, e.g. `(28, 28, 1)`.
        latent_dim: Positive int, the size of the code that a continuous prior
            regularizes (the style in sections 4-7; the representation's size
            in section 7).
        hidden: Hidden sizes of every MLP (the paper: `[1000, 1000]`).
        num_classes: Classes (or clusters, for `"clustering"`).
        prior: Prior name or object for that code; defaults to a Gaussian,
            or a mixture of `num_classes` Gaussians when label-informed.
        **kwargs: Passed to the model's constructor (e.g. `seed`).

    Returns:
        An uncompiled model.

    Raises:
        ValueError: On an unknown variant or sizes that do not fit.

    Example:

    >>> model = build("clustering", (28, 28, 1), 5, hidden=[256], num_classes=16)
    >>> model.compile()
    """
    from keras_aae import networks

    key, cls = _variant_class(variant)
    k = num_classes
    if prior is None:
        prior = "mixture" if key == "label_informed" else "gaussian"
    if isinstance(prior, str) and prior.lower().replace("-", "_") in _MIXTURE_PRIORS:
        prior = priors_lib.get(prior, latent_dim=latent_dim, num_components=k)
    mlp = dict(hidden=hidden)
    if key in ("semi_supervised", "clustering", "dimensionality_reduction"):
        encoder = networks.mlp_categorical_encoder(input_shape, k, latent_dim, **mlp)
        if key == "dimensionality_reduction":
            decoder = networks.cluster_head_decoder(k, latent_dim, input_shape, **mlp)
        else:
            decoder = networks.mlp_decoder(k + latent_dim, input_shape, **mlp)
        size = "num_clusters" if key == "clustering" else "num_classes"
        return cls(
            encoder, decoder, networks.mlp_discriminator(latent_dim, **mlp),
            networks.mlp_discriminator(k, name="categorical_discriminator", **mlp),
            prior=prior, **{size: k}, **kwargs,
        )
    encoder = networks.mlp_encoder(input_shape, latent_dim, **mlp)
    decoder_input = latent_dim + (k if key == "supervised" else 0)
    decoder = networks.mlp_decoder(decoder_input, input_shape, **mlp)
    judged = latent_dim + (k + 1 if key == "label_informed" else 0)
    discriminator = networks.mlp_discriminator(judged, **mlp)
    if key != "unsupervised":
        kwargs["num_classes"] = k
    return cls(encoder, decoder, discriminator, prior=prior, **kwargs)


def training_dataset(variant, images, labels=None, num_labels=None,
                     batch_size=128, seed=None, epochs=None, initial_epoch=0):
    """The `fit` input a variant expects, from arrays.

    Unsupervised and clustering models get the images only; supervised ones
    every label; label-informed and semi-supervised ones `num_labels`
    labels (equally many per class, seeded; None keeps all), the rest
    hidden as -1. Semi-supervised batches carry a labeled mini-batch of the
    same size (`keras_aae.data.semi_supervised_dataset`).

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

    Returns:
        A `tf.data.Dataset`.

    Raises:
        ValueError: If the variant needs labels and none are given.
    """
    from keras_aae import data

    key, _ = _variant_class(variant)
    common = {"batch_size": batch_size, "seed": seed, "epochs": epochs,
              "initial_epoch": initial_epoch}
    if key in ("unsupervised", "clustering"):
        return data.as_dataset(images, **common)
    if labels is None:
        raise ValueError(
            f"The {key} variant trains on labels. Received: labels=None"
        )
    if key == "supervised":
        return data.as_dataset(images, labels, **common)
    kept = data.hide_labels(labels, num_labels, seed=seed or 0)
    if key == "label_informed":
        return data.as_dataset(images, kept, **common)
    return data.semi_supervised_dataset(images, kept, **common)


VARIANTS = {
    "unsupervised": AdversarialAutoencoder,
    "label_informed": LabelInformedAdversarialAutoencoder,
    "supervised": SupervisedAdversarialAutoencoder,
    "semi_supervised": SemiSupervisedAdversarialAutoencoder,
    "clustering": ClusteringAdversarialAutoencoder,
    "dimensionality_reduction": DimensionalityReductionAdversarialAutoencoder,
}
