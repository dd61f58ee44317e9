"""Every cluster in use: the entropy of the batch's mean `q(y|x)`, beyond
the paper.

The clustering AAE (section 6) relies on its categorical adversary alone to
spread the images over the clusters; on MNIST some clusters die within a few
epochs (13 of 16 in use after 13 epochs, `benchmarks/README.md`, issue 31),
and a consistency option alone collapses them to two. `ClusterBalance`
adds what information-maximizing clusterers add (RIM, Krause et al. 2010;
IMSAT, Hu et al. 2017): the gap between `log(num_clusters)` and the
entropy of the batch's mean cluster probabilities, which is zero when the
batch uses every cluster equally and leaves each image free to pick one.
"""

import keras
from keras import ops

from keras_aae._validation import check_non_negative_number
from keras_aae._validation import check_option

_EPSILON = 1e-8


@keras.saving.register_keras_serializable(package="keras_aae")
class ClusterBalance:
    """Keeps the clusters equally used (an option of
    `ClusteringAdversarialAutoencoder`, beyond the paper).

    Adds `weight * (log(k) - H(mean_batch q(y|x)))` to the clustering
    model's consistency phase, `k` the number of clusters: the batch's
    clusters are pushed towards equal use, while each image's `q(y|x)`
    stays free to be one-hot (the categorical adversary's job).

    Args:
        weight: Non-negative float, the weight of the entropy gap.

    Raises:
        ValueError: On a negative weight.

    Example:

    >>> balance = ClusterBalance(weight=1.0)
    >>> float(balance.loss(ops.ones((4, 2)) / 2))  # equal use: no loss
    0.0
    """

    def __init__(self, weight=1.0):
        self.weight = check_non_negative_number(weight, "weight")

    def loss(self, probabilities):
        """`weight` times `log(k)` minus the entropy of the mean of
        `probabilities` `(n, k)` over the batch."""
        probabilities = ops.cast(probabilities, "float32")
        mean = ops.mean(probabilities, axis=0)
        entropy = -ops.sum(mean * ops.log(mean + _EPSILON))
        num_clusters = ops.cast(ops.shape(probabilities)[-1], "float32")
        return self.weight * (ops.log(num_clusters) - entropy)

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {"weight": self.weight}

    @classmethod
    def from_config(cls, config):
        """Creates the option from the output of `get_config`."""
        return cls(**config)

    def __repr__(self):
        return f"ClusterBalance(weight={self.weight!r})"


def get(identifier):
    """Returns a `ClusterBalance` from None, a config dict or an object.

    Args:
        identifier: None (no balance term), a `ClusterBalance`, or a dict
            produced by `keras.saving.serialize_keras_object`.

    Returns:
        The option, or None.

    Raises:
        TypeError: If `identifier` is of another type.

    Example:

    >>> get(None) is None
    True
    """
    return check_option(
        identifier, ClusterBalance, "balance", "a ClusterBalance"
    )
