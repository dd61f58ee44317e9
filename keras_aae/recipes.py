"""Named training recipes for the paper's family.

A `Recipe` is everything a run needs besides the data: the variant, the
networks' sizes, the model's arguments, the optimizers (with their
learning-rate schedules) and the batch. `RECIPES` holds two kinds:

- `paper_*`: the paper's appendix choices (Makhzani et al., 2015,
  appendix A and sections 5-7): 2x1000 ReLU MLPs (2x3000 for clustering),
  Gaussian noise of standard deviation 0.3 on the encoder's input (the
  universal posterior of section 2.1), batches of 100, one discriminator
  step, no instance noise, binary cross-entropy, and SGD with momentum
  whose rates are divided by 10 at epochs 50 and 1000 (reconstruction 0.01
  with momentum 0.9; both adversarial phases 0.1 with momentum 0.1; the
  semi-supervised classification phase 0.1 with momentum 0.9).
- `fast_*`: what converged fastest on a CPU in `benchmarks/paper.py`
  (measured in `benchmarks/README.md`, "The paper's family"): Adam, the
  package's instance noise, and smaller discriminators.

Example:

>>> from keras_aae import recipes
>>> recipe = recipes.get("paper_semi_supervised")
>>> model = recipe.build((28, 28, 1), steps_per_epoch=600, seed=0)
>>> # model.fit(recipe.dataset(x, y, seed=0), epochs=100)
"""

import dataclasses

import keras

from keras_aae import models
from keras_aae import posteriors
from keras_aae import variants
from keras_aae._validation import check_non_negative_number
from keras_aae._validation import check_positive_int

__all__ = ["RECIPES", "Recipe", "get"]

# The paper's SGD: phase -> (initial rate, momentum); every rate is divided
# by 10 at each of `PAPER_DECAY_EPOCHS`.
PAPER_SGD = {
    "reconstruction": (0.01, 0.9),
    "discriminator": (0.1, 0.1),
    "generator": (0.1, 0.1),
    "classification": (0.1, 0.9),
}
PAPER_DECAY_EPOCHS = (50, 1000)
PAPER_MODEL_ARGUMENTS = {
    "posterior": keras.saving.serialize_keras_object(
        posteriors.UniversalPosterior(input_noise=0.3)
    ),
    "discriminator_steps": 1,
    "discriminator_noise": 0.0,
    "reconstruction_loss": "binary_crossentropy",
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A named configuration of one variant: networks, model, optimizers.

    Args:
        variant: A name of `keras_aae.variants.VARIANTS`.
        latent_dim: Size of the continuous code (the style in sections 4-7).
        hidden: Hidden sizes of the encoder's and decoder's MLPs.
        architecture: `"mlp"`, or `"conv"` (the unsupervised variant's
            convolutional encoder and decoder; `hidden` then sizes the
            discriminator).
        discriminator_hidden: Hidden sizes of the discriminators' MLPs
            (None: `hidden`).
        num_classes: Classes, or clusters for `"clustering"`.
        num_labels: Labels kept for training (balanced, seeded; None: all).
        batch_size: Examples per batch.
        model_arguments: Constructor arguments of the model and
            `keras_aae.variants.build` (`prior`; `posterior` as a name or a
            serialized config, JSON-ready).
        sgd: Phase -> `(learning rate, momentum)` of an SGD optimizer; an
            empty dict keeps the model's default Adam for every phase.
        learning_rates: Phase -> rate of the default Adam (with `sgd`
            empty).
        decay_epochs: Epochs at which every phase's rate is divided by 10
            (`keras.optimizers.schedules.PiecewiseConstantDecay`).
        sample_adversary: Weight of a `keras_aae.models.SampleAdversary`
            (an MLP discriminator for the images, built with the model); 0:
            none; None: the model's default.
        epochs: The training length the recipe was measured at (what
            `keras-aae train --recipe` runs unless `--epochs` is given;
            None: the command's default).
        description: One line: where the recipe comes from.

    Example:

    >>> recipe = Recipe("clustering", 5, (3000, 3000), num_classes=16)
    >>> model = recipe.build((28, 28, 1), steps_per_epoch=600)
    """

    variant: str
    latent_dim: int
    hidden: tuple = (1000, 1000)
    architecture: str = "mlp"
    discriminator_hidden: tuple = None
    num_classes: int = 10
    num_labels: int = None
    batch_size: int = 100
    model_arguments: dict = dataclasses.field(default_factory=dict)
    sgd: dict = dataclasses.field(default_factory=dict)
    learning_rates: dict = dataclasses.field(default_factory=dict)
    decay_epochs: tuple = ()
    sample_adversary: float = None
    epochs: int = None
    description: str = ""

    def __post_init__(self):
        if self.variant not in variants.VARIANTS:
            raise ValueError(
                f"Unknown variant. Expected one of {sorted(variants.VARIANTS)}."
                f" Received: variant={self.variant!r}"
            )
        check_positive_int(self.latent_dim, "latent_dim")
        check_positive_int(self.batch_size, "batch_size")
        if self.num_labels is not None:
            check_positive_int(self.num_labels, "num_labels")
        for epoch in self.decay_epochs:
            check_positive_int(epoch, "decay_epochs")
        if self.epochs is not None:
            check_positive_int(self.epochs, "epochs")
        if self.sample_adversary is not None:
            check_non_negative_number(self.sample_adversary, "sample_adversary")

    def replace(self, **changes):
        """A copy with some fields changed, e.g. `num_labels=1000`."""
        return dataclasses.replace(self, **changes)

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        config = dataclasses.asdict(self)
        for key in ("hidden", "discriminator_hidden", "decay_epochs"):
            if config[key] is not None:
                config[key] = list(config[key])
        return config

    @classmethod
    def from_config(cls, config):
        """Builds the recipe from `get_config`'s dict."""
        config = dict(config)
        for key in ("hidden", "discriminator_hidden", "decay_epochs"):
            if config.get(key) is not None:
                config[key] = tuple(config[key])
        return cls(**config)

    def _learning_rate(self, rate, steps_per_epoch):
        if not self.decay_epochs:
            return rate
        # The optimizer's step counter starts at 0 and the schedule keeps a
        # rate up to its boundary inclusive: epoch `e`'s last step is
        # `e * steps_per_epoch - 1`.
        boundaries = [e * steps_per_epoch - 1 for e in self.decay_epochs]
        values = [rate / 10**i for i in range(len(boundaries) + 1)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(
            boundaries, values
        )

    def compile_arguments(self, phases, steps_per_epoch):
        """The `compile` arguments of a model with these `phases`.

        Args:
            phases: The model's phase names (`model._PHASES`).
            steps_per_epoch: Positive int, batches per epoch (the schedules
                count steps).

        Returns:
            A dict of `<phase>_optimizer` / `<phase>_learning_rate` entries.
        """
        steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
        arguments = {}
        for phase in phases:
            if self.sgd:
                rate, momentum = self.sgd[phase]
                arguments[f"{phase}_optimizer"] = keras.optimizers.SGD(
                    learning_rate=self._learning_rate(rate, steps_per_epoch),
                    momentum=momentum,
                )
            elif phase in self.learning_rates:
                arguments[f"{phase}_learning_rate"] = self.learning_rates[phase]
        return arguments

    def build(self, input_shape, steps_per_epoch, seed=None, **compile_kwargs):
        """Builds and compiles the recipe's model.

        Args:
            input_shape: Shape of one example, e.g. `(28, 28, 1)`.
            steps_per_epoch: Batches per epoch, for the schedules.
            seed: Optional int seed of the model's random draws.
            **compile_kwargs: More `compile` arguments (`jit_compile`, ...).

        Returns:
            A compiled model of `keras_aae.models`.
        """
        arguments = dict(self.model_arguments)
        if "posterior" in arguments:
            arguments["posterior"] = posteriors.get(arguments["posterior"])
        if self.sample_adversary is not None:
            arguments["sample_adversary"] = (
                models.SampleAdversary.for_images(
                    input_shape, weight=self.sample_adversary
                )
                if self.sample_adversary
                else None
            )
        model = variants.build(
            self.variant,
            input_shape,
            self.latent_dim,
            hidden=list(self.hidden),
            architecture=self.architecture,
            num_classes=self.num_classes,
            discriminator_hidden=(
                None
                if self.discriminator_hidden is None
                else list(self.discriminator_hidden)
            ),
            seed=seed,
            **arguments,
        )
        model.compile(
            **self.compile_arguments(model._PHASES, steps_per_epoch),
            **compile_kwargs,
        )
        return model

    def steps_per_epoch(self, num_examples):
        """Batches in one epoch of `num_examples` examples."""
        return -(
            -check_positive_int(num_examples, "num_examples") // self.batch_size
        )

    def dataset(self, images, labels=None, seed=None, **kwargs):
        """The recipe's `fit` input (`keras_aae.variants.training_dataset`).

        Args:
            images: Array of images.
            labels: Int labels, for the variants that use them.
            seed: Optional int seed of the shuffles and the label choice.
            **kwargs: More `training_dataset` arguments (`order`, ...).

        Returns:
            A `tf.data.Dataset`.
        """
        return variants.training_dataset(
            self.variant,
            images,
            labels,
            num_labels=self.num_labels,
            batch_size=self.batch_size,
            seed=seed,
            **kwargs,
        )


def _paper(variant, latent_dim, description, **fields):
    phases = ("reconstruction", "discriminator", "generator")
    if variant in ("semi_supervised", "dimensionality_reduction"):
        phases += ("classification",)
    return Recipe(
        variant,
        latent_dim,
        model_arguments=dict(PAPER_MODEL_ARGUMENTS),
        sgd={phase: PAPER_SGD[phase] for phase in phases},
        decay_epochs=PAPER_DECAY_EPOCHS,
        description=description,
        **fields,
    )


def _fast(
    variant, latent_dim, description, extra_model_arguments=None, **fields
):
    # The package's Adam; the appendix's one discriminator step and input
    # noise; no instance noise: on the categorical code it hides from the
    # discriminator whether q(y|x) is one-hot, which is what makes the
    # unlabeled images count (semi-supervised test error after 3 epochs,
    # 100 labels: 13.6 % with the default noise 1.5, 8.1 % without).
    return Recipe(
        variant,
        latent_dim,
        model_arguments={
            "posterior": PAPER_MODEL_ARGUMENTS["posterior"],
            "discriminator_steps": 1,
            "discriminator_noise": 0.0,
            **(extra_model_arguments or {}),
        },
        description=description,
        **fields,
    )


RECIPES = {
    "paper_semi_supervised": _paper(
        "semi_supervised",
        10,
        "Section 5 and appendix: 100 labels, 10-D style.",
        num_labels=100,
    ),
    "paper_clustering": _paper(
        "clustering",
        5,
        "Section 6 and appendix: 2x3000 MLPs, 16 clusters, 5-D style.",
        hidden=(3000, 3000),
        num_classes=16,
    ),
    "paper_label_informed": _paper(
        "label_informed",
        2,
        "Section 2.3: a 2-D mixture of 10 Gaussians, every label.",
    ),
    "paper_supervised": _paper(
        "supervised",
        15,
        "Section 4, figure 6: 15-D style, the label to the decoder.",
    ),
    "paper_dimensionality_reduction": _paper(
        "dimensionality_reduction",
        2,
        "Section 7: a 2-D representation, 1,000 labels.",
        num_labels=1000,
    ),
    "fast_semi_supervised": _fast(
        "semi_supervised",
        10,
        "Section 5 on a CPU budget: Adam, no instance noise, 100 labels.",
        num_labels=100,
    ),
    "consistent_semi_supervised": _fast(
        "semi_supervised",
        10,
        "Section 5 beyond the paper: fast_semi_supervised with q(y|x) "
        "consistent under shifts of up to 2 pixels and noise 0.3, the "
        "labels read on the images themselves.",
        num_labels=100,
        extra_model_arguments={
            # Labels read on shifted copies too (labeled=True): 100-label
            # test error 6.00 % after 3 epochs, against 4.06 % here.
            "consistency": keras.saving.serialize_keras_object(
                models.ShiftConsistency(
                    weight=1.0, max_shift=2, noise=0.3, labeled=False
                )
            )
        },
    ),
    "fast_clustering": _fast(
        "clustering",
        5,
        "Section 6 on a CPU budget: 2x1000 MLPs, Adam, 16 clusters.",
        num_classes=16,
    ),
    "consistent_clustering": _fast(
        "clustering",
        5,
        "Section 6 beyond the paper: fast_clustering with q(y|x) "
        "consistent under shifts of up to 2 pixels and noise 0.3, and every "
        "cluster kept in use (the entropy of the batch's mean q(y|x)).",
        num_classes=16,
        epochs=26,
        extra_model_arguments={
            # Either alone collapses: the consistency to 2 clusters, the
            # paper's model to 4-5 within an epoch (benchmarks/README.md).
            "consistency": keras.saving.serialize_keras_object(
                models.ShiftConsistency(weight=1.0, max_shift=2, noise=0.3)
            ),
            "balance": keras.saving.serialize_keras_object(
                models.ClusterBalance(weight=1.0)
            ),
        },
    ),
    "fast_dimensionality_reduction": _fast(
        "dimensionality_reduction",
        2,
        "Section 7 on a CPU budget: Adam, 1,000 labels.",
        num_labels=1000,
    ),
    "fast_label_informed": Recipe(
        "label_informed",
        2,
        description=(
            "Section 2.3 with the variant's own defaults (Adam, two "
            "discriminator steps, no instance noise), every label."
        ),
    ),
    "fast_supervised": _fast(
        "supervised",
        15,
        "Section 4 on a CPU budget: 15-D style, every label.",
    ),
    "independent_supervised": _fast(
        "supervised",
        15,
        "Section 4 beyond the paper: fast_supervised on 2x256 MLPs with the "
        "label shown to the discriminator, so the style is free of the "
        "digit (figure 6).",
        hidden=(256, 256),
        epochs=30,
        extra_model_arguments={"independent_style": True},
    ),
    "showcase": Recipe(
        "unsupervised",
        8,
        hidden=(512, 512),
        batch_size=100,
        sample_adversary=0.02,
        epochs=20,
        description=(
            "Decoded prior draws that read as digits or clothes: an 8-D "
            "Gaussian code (section 3), 2x512 MLPs, a sample adversary of "
            "weight 0.02, 20 epochs of batch 100."
        ),
    ),
    "likelihood": Recipe(
        "unsupervised",
        8,
        hidden=(512, 512),
        batch_size=100,
        model_arguments={
            "posterior": keras.saving.serialize_keras_object(
                posteriors.UniversalPosterior(input_noise=0.3)
            ),
            "discriminator_noise": 0.5,
        },
        sample_adversary=0.0,
        epochs=20,
        description=(
            "The paper's likelihood (section 3, Parzen window): an 8-D "
            "Gaussian code, 2x512 MLPs, input noise 0.3 on the encoder, "
            "instance noise 0.5 on the discriminator, no sample adversary."
        ),
    ),
    "consistent_domain_adaptation": Recipe(
        "domain_adaptation",
        10,
        hidden=(256, 256),
        batch_size=100,
        model_arguments={
            "posterior": keras.saving.serialize_keras_object(
                posteriors.UniversalPosterior(input_noise=0.3)
            ),
            "discriminator_steps": 1,
            "discriminator_noise": 0.0,
            "consistency": keras.saving.serialize_keras_object(
                models.ShiftConsistency(labeled=False)
            ),
        },
        epochs=5,
        description=(
            "Domain adaptation as benchmarks/domain_adaptation.py measures "
            "it (method aae_consistency): a 10-D style, 2x256 MLPs, input "
            "noise 0.3, q(y|x) of both domains consistent under shifts of up "
            "to 2 pixels and noise 0.3."
        ),
    ),
    "fast_anomaly": Recipe(
        "unsupervised",
        8,
        hidden=(256, 256),
        # Without the sample adversary: with it, the one-class AUROC of
        # reconstruction fell on 7 of 10 digits (benchmarks/README.md).
        sample_adversary=0.0,
        description=(
            "Anomaly scores: the package's defaults on small MLPs, an 8-D "
            "Gaussian code, no sample adversary (ten models per protocol)."
        ),
    ),
    "conv_anomaly": Recipe(
        "unsupervised",
        8,
        hidden=(256, 256),
        architecture="conv",
        sample_adversary=0.0,
        epochs=20,
        description=(
            "Anomaly scores beyond the paper: fast_anomaly with the "
            "convolutional encoder and decoder (MNIST one-class mean AUROC "
            "of the combined score 97.56, the MLPs' 97.02)."
        ),
    ),
}


def get(name):
    """Returns the `Recipe` named `name` (a key of `RECIPES`).

    Raises:
        ValueError: On an unknown name.
    """
    key = str(name).lower().replace("-", "_")
    if key not in RECIPES:
        raise ValueError(
            f"Unknown recipe. Expected one of {sorted(RECIPES)}. "
            f"Received: name={name!r}"
        )
    return RECIPES[key]
