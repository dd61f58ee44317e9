"""keras-aae: Adversarial Autoencoders (Makhzani et al., 2015) as Keras models.

Example:

>>> import keras_aae
>>> from keras_aae import networks
>>> model = keras_aae.AdversarialAutoencoder(
...     encoder=networks.mlp_encoder((28, 28, 1), 8, [256]),
...     decoder=networks.mlp_decoder(8, (28, 28, 1), [256]),
...     discriminator=networks.mlp_discriminator(8, [256]),
...     prior="gaussian",
... )
>>> model.compile()
"""

import os as _os
import sys as _sys

# The package is written for Keras 3 on the TensorFlow backend.
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.9.0"

__all__ = [
    "AdversarialAutoencoder",
    "CategoricalAdversarialAutoencoder",
    "CategoricalPrior",
    "CodeDensityScore",
    "CombinedScore",
    "ClusterBalance",
    "ClusteringAdversarialAutoencoder",
    "ConcatenatedPrior",
    "DeterministicPosterior",
    "DimensionalityReductionAdversarialAutoencoder",
    "DomainAdaptationAdversarialAutoencoder",
    "GaussianPosterior",
    "GaussianPrior",
    "LabelInformedAdversarialAutoencoder",
    "MixtureOfGaussiansPrior",
    "SampleAdversary",
    "ReconstructionScore",
    "SampleGrid",
    "SemiSupervisedAdversarialAutoencoder",
    "ShiftConsistency",
    "SupervisedAdversarialAutoencoder",
    "SwissRollPrior",
    "UniformPrior",
    "UniversalPosterior",
    "VirtualAdversarialConsistency",
    "__version__",
    "callbacks",
    "data",
    "evaluation",
    "export",
    "images",
    "load_model",
    "models",
    "networks",
    "plots",
    "posteriors",
    "priors",
    "recipes",
    "scores",
    "training",
    "variants",
]


def _import_api():
    """The public names (importing them registers every Keras class)."""
    from keras_aae import callbacks
    from keras_aae import data
    from keras_aae import evaluation
    from keras_aae import export
    from keras_aae import images
    from keras_aae import models
    from keras_aae import networks
    from keras_aae import plots
    from keras_aae import posteriors
    from keras_aae import priors
    from keras_aae import recipes
    from keras_aae import scores
    from keras_aae import training
    from keras_aae import variants
    from keras_aae.callbacks import SampleGrid
    from keras_aae.models import AdversarialAutoencoder
    from keras_aae.models import CategoricalAdversarialAutoencoder
    from keras_aae.models import ClusterBalance
    from keras_aae.models import ClusteringAdversarialAutoencoder
    from keras_aae.models import DimensionalityReductionAdversarialAutoencoder
    from keras_aae.models import DomainAdaptationAdversarialAutoencoder
    from keras_aae.models import LabelInformedAdversarialAutoencoder
    from keras_aae.models import SampleAdversary
    from keras_aae.models import SemiSupervisedAdversarialAutoencoder
    from keras_aae.models import ShiftConsistency
    from keras_aae.models import SupervisedAdversarialAutoencoder
    from keras_aae.models import VirtualAdversarialConsistency
    from keras_aae.models import load_model
    from keras_aae.posteriors import DeterministicPosterior
    from keras_aae.posteriors import GaussianPosterior
    from keras_aae.posteriors import UniversalPosterior
    from keras_aae.priors import CategoricalPrior
    from keras_aae.priors import ConcatenatedPrior
    from keras_aae.priors import GaussianPrior
    from keras_aae.priors import MixtureOfGaussiansPrior
    from keras_aae.priors import SwissRollPrior
    from keras_aae.priors import UniformPrior
    from keras_aae.scores import CodeDensityScore
    from keras_aae.scores import CombinedScore
    from keras_aae.scores import ReconstructionScore

    return dict(locals())


def _command_line_starting():
    """Whether this process is the `keras-aae` command, before it parses.

    The command answers a bad argument before TensorFlow loads (seconds);
    each of its commands then imports what it needs. Any other `import
    keras_aae` imports the whole API at once, which registers the classes
    that `keras.models.load_model` looks up.
    """
    if _sys.argv[:1] == ["-m"]:  # `python -m ...` is importing its module
        argv = getattr(_sys, "orig_argv", [])
        return any(
            a == "-m" and b == "keras_aae"
            for a, b in zip(argv, argv[1:], strict=False)
        )
    script = _os.path.basename(_sys.argv[0]) if _sys.argv else ""
    return script in ("keras-aae", "keras-aae.exe")


if _command_line_starting():

    def __getattr__(name):
        if name not in __all__:
            raise AttributeError(
                f"module 'keras_aae' has no attribute {name!r}"
            )
        if name.islower():  # a submodule: `from keras_aae import data`
            import importlib

            return importlib.import_module(f"keras_aae.{name}")
        globals().update(_import_api())
        return globals()[name]

else:
    globals().update(_import_api())
