"""Distribution helpers: replica seeds, global-batch scaling, log shapes.

What Keras keeps in its trainer for `tf.distribute` and a custom
`train_step` needs by hand: every replica must draw its own prior samples,
each replica's gradient must be that of the mean over the global batch, and
a multi-worker step's logs need the shape Keras reduces.
"""

import keras
import tensorflow as tf
from keras import ops

# With small MLPs a step takes milliseconds; running several per call of the
# compiled function saves the per-call overhead of `fit` (about a third of
# the time on a 2-core CPU, benchmarks/README.md).
DEFAULT_STEPS_PER_EXECUTION = 32


@keras.saving.register_keras_serializable(package="keras_aae")
class ReplicaSeedGenerator(keras.random.SeedGenerator):
    """A `keras.random.SeedGenerator` that gives each replica its own draws.

    Under a `tf.distribute` strategy every replica runs the same step with
    the same (mirrored) generator state, so a plain `SeedGenerator` hands all
    replicas the same seed and they draw identical prior samples: the global
    batch then holds each prior sample once per replica. This generator
    folds the replica's index into the seed it returns. Replica 0, and any
    code outside a strategy, gets exactly the seeds of a `SeedGenerator`.

    Example:

    >>> gen = ReplicaSeedGenerator(seed=1)
    >>> z = keras.random.normal((4, 2), seed=gen)
    """

    # Any odd constant far from the small seeds users pass works.
    _REPLICA_STRIDE = 1_000_003

    def next(self, ordered=True):
        """The next seed, with the replica's index folded in."""
        seed = super().next(ordered=ordered)
        replica = replica_id()
        if replica is None:
            return seed
        offset = ops.cast(replica, seed.dtype) * self._REPLICA_STRIDE
        return seed + ops.stack([offset, ops.zeros_like(offset)])


def replica_id():
    """The replica's index inside a strategy's step, or None outside one."""
    context = tf.distribute.get_replica_context()
    if context is None or not tf.distribute.has_strategy():
        return None
    return context.replica_id_in_sync_group


def global_batch_scale():
    """The factor turning a replica's mean loss into its share of the mean
    over the global batch (`tf.nn.compute_average_loss`): replica gradients
    are summed."""
    return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync


def _worker_count(strategy):
    spec = strategy.cluster_resolver.cluster_spec().as_dict()
    return sum(len(spec.get(job, [])) for job in ("chief", "worker"))


def per_replica_logs(logs):
    """`logs` in the shape Keras can reduce under the current strategy.

    Keras reduces a multi-worker step's logs with
    `strategy.reduce("MEAN", value, axis=0)`, which needs an axis: scalars
    get one there, and stay scalars everywhere else.
    """
    strategy = tf.distribute.get_strategy()
    if (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and _worker_count(strategy) > 1
    ):
        return {name: ops.reshape(value, (1,)) for name, value in logs.items()}
    return logs


def steps_per_execution(requested):
    """`steps_per_execution` for `compile`: 32 alone, 1 under a strategy.

    Args:
        requested: The user's value, or None for the default.

    Returns:
        A positive int.

    Raises:
        ValueError: If more than one step is requested under a strategy.
    """
    if not tf.distribute.has_strategy():
        return DEFAULT_STEPS_PER_EXECUTION if requested is None else requested
    if requested not in (None, 1):
        # Keras' multi-step loop puts each optimizer update inside a
        # `tf.cond`, where a strategy's cross-replica merge fails
        # (keras-team/keras#19246: "You must feed a value for placeholder").
        raise ValueError(
            "`steps_per_execution` must be 1 under a tf.distribute strategy "
            f"(keras-team/keras#19246). Received: steps_per_execution={requested}"
        )
    return 1
