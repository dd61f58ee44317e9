"""The adversarial autoencoder and the paper's family, one file each.

- `AdversarialAutoencoder` (section 2): the phases, the hooks, the config;
- `LabelInformedAdversarialAutoencoder` (section 2.3);
- `SupervisedAdversarialAutoencoder` (section 4);
- `CategoricalAdversarialAutoencoder`: codes `(y, z)`, sections 5-7;
- `SemiSupervisedAdversarialAutoencoder` (section 5);
- `ClusteringAdversarialAutoencoder` (section 6);
- `DimensionalityReductionAdversarialAutoencoder` (section 7);
- `DomainAdaptationAdversarialAutoencoder`: unsupervised domain adaptation,
  built from sections 2.3, 4 and 5;
- `SampleAdversary`: beyond the paper, a second adversary that trains the
  decoder on prior draws (an option of every model);
- `ShiftConsistency`: beyond the paper, consistency of the semi-supervised
  models' `q(y|x)` under small shifts and noise;
- `VirtualAdversarialConsistency`: beyond the paper, the same under VAT's
  virtual adversarial perturbations;
- `ClusterBalance`: beyond the paper, keeps the clustering model's clusters
  in use;
- `CodePart`: a slice of the code matched to a prior by a discriminator;
- `load_model`: loads a `.keras` file with one clear error.
"""

from keras_aae.models.adversarial_autoencoder import AdversarialAutoencoder
from keras_aae.models.balance import ClusterBalance
from keras_aae.models.categorical import CategoricalAdversarialAutoencoder
from keras_aae.models.clustering import ClusteringAdversarialAutoencoder
from keras_aae.models.code_part import CodePart
from keras_aae.models.consistency import ShiftConsistency
from keras_aae.models.consistency import VirtualAdversarialConsistency
from keras_aae.models.dimensionality_reduction import (
    DimensionalityReductionAdversarialAutoencoder,
)
from keras_aae.models.domain_adaptation import (
    DomainAdaptationAdversarialAutoencoder,
)
from keras_aae.models.label_informed import LabelInformedAdversarialAutoencoder
from keras_aae.models.sample_adversary import SampleAdversary
from keras_aae.models.saving import load_model
from keras_aae.models.semi_supervised import (
    SemiSupervisedAdversarialAutoencoder,
)
from keras_aae.models.supervised import SupervisedAdversarialAutoencoder

__all__ = [
    "AdversarialAutoencoder",
    "CategoricalAdversarialAutoencoder",
    "ClusterBalance",
    "ClusteringAdversarialAutoencoder",
    "CodePart",
    "DimensionalityReductionAdversarialAutoencoder",
    "DomainAdaptationAdversarialAutoencoder",
    "LabelInformedAdversarialAutoencoder",
    "SampleAdversary",
    "SemiSupervisedAdversarialAutoencoder",
    "ShiftConsistency",
    "VirtualAdversarialConsistency",
    "SupervisedAdversarialAutoencoder",
    "load_model",
]
