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

# The package is written for Keras 3 on the TensorFlow backend.
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from keras_aae import priors  # noqa: E402
from keras_aae import networks  # noqa: E402
from keras_aae import data  # noqa: E402
from keras_aae import callbacks  # noqa: E402
from keras_aae import evaluation  # noqa: E402
from keras_aae import export  # noqa: E402
from keras_aae import images  # noqa: E402
from keras_aae import variants  # noqa: E402
from keras_aae.callbacks import SampleGrid  # noqa: E402
from keras_aae.model import AdversarialAutoencoder  # noqa: E402
from keras_aae.model import load_model  # noqa: E402
from keras_aae.priors import CategoricalPrior  # noqa: E402
from keras_aae.priors import ConcatenatedPrior  # noqa: E402
from keras_aae.priors import GaussianPrior  # noqa: E402
from keras_aae.priors import MixtureOfGaussiansPrior  # noqa: E402
from keras_aae.priors import SwissRollPrior  # noqa: E402
from keras_aae.priors import UniformPrior  # noqa: E402
from keras_aae.variants import ClusteringAdversarialAutoencoder  # noqa: E402
from keras_aae.variants import DimensionalityReductionAdversarialAutoencoder  # noqa: E402,E501
from keras_aae.variants import LabelInformedAdversarialAutoencoder  # noqa: E402
from keras_aae.variants import SemiSupervisedAdversarialAutoencoder  # noqa: E402
from keras_aae.variants import SupervisedAdversarialAutoencoder  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "AdversarialAutoencoder",
    "CategoricalPrior",
    "ClusteringAdversarialAutoencoder",
    "ConcatenatedPrior",
    "DimensionalityReductionAdversarialAutoencoder",
    "GaussianPrior",
    "LabelInformedAdversarialAutoencoder",
    "MixtureOfGaussiansPrior",
    "SampleGrid",
    "SemiSupervisedAdversarialAutoencoder",
    "SupervisedAdversarialAutoencoder",
    "SwissRollPrior",
    "UniformPrior",
    "__version__",
    "callbacks",
    "data",
    "evaluation",
    "export",
    "images",
    "load_model",
    "networks",
    "priors",
    "variants",
]
