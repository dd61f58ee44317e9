"""The model's home before 0.2, kept so that older imports keep working.

`AdversarialAutoencoder` and `load_model` live in `keras_aae.models`,
`ReplicaSeedGenerator` in `keras_aae.training`; `keras_aae` exports the first
two. Saved `.keras` files find their classes by registered name
(`keras_aae>AdversarialAutoencoder`), not by this module.
"""

from keras_aae.models import AdversarialAutoencoder
from keras_aae.models import load_model
from keras_aae.training import ReplicaSeedGenerator

__all__ = ["AdversarialAutoencoder", "ReplicaSeedGenerator", "load_model"]
