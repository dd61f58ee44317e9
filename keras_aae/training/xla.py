"""The XLA decision of the training phases.

With `jit_compile="auto"` (Keras' default) on a machine where Keras itself
would not use XLA (a CPU), the phases of a step, which are dense math and
many small optimizer updates, run XLA-compiled while the step's random draws
stay in TensorFlow's kernels, where they are much faster: about 1.8x faster
than either plain mode on a 2-core CPU (benchmarks/README.md).
"""

import tensorflow as tf


def op_determinism_enabled():
    """Whether `tf.config.experimental.enable_op_determinism()` is on.

    TensorFlow exports only the setter; Keras' own trainer reads the getter
    from the same module (`keras.src.trainers.trainer.model_supports_jit`),
    and so does this one function.
    """
    try:
        from tensorflow.python.framework import config
    except ImportError:  # pragma: no cover - the module moved
        return False
    return config.is_op_determinism_enabled()


def jit_compile_phases(model, requested, loss_scaled):
    """Whether a model's phases run XLA-compiled inside its `train_step`.

    Not when the user chose a mode (`jit_compile=True/False`), Keras already
    compiles the whole step, the model runs eagerly, under a distribution
    strategy (optimizer updates there synchronize replicas), under loss
    scaling, or with op determinism (XLA does not promise it).

    Args:
        model: A compiled `keras.Model`.
        requested: The `jit_compile` argument given to `compile`.
        loss_scaled: Whether the optimizers are loss-scaled.

    Returns:
        A bool.
    """
    if requested != "auto" or model.jit_compile or model.run_eagerly:
        return False
    if tf.distribute.has_strategy() or loss_scaled:
        return False
    return not op_determinism_enabled()


def compiled(function):
    """`function` as an XLA-compiled `tf.function`."""
    return tf.function(function, jit_compile=True)
