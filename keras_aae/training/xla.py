"""The XLA decision of the training phases.

With `jit_compile="auto"` (Keras' default) on a machine where Keras itself
would not use XLA (a CPU), the phases of a step, which are dense math and
many small optimizer updates, run XLA-compiled while the step's random draws
stay in TensorFlow's kernels, where they are much faster: about 1.8x faster
than either plain mode on a 2-core CPU (benchmarks/README.md). The command
line keeps compiled programs between runs (`enable_persistent_cache`).
"""

import hashlib
import os
import platform

import tensorflow as tf

XLA_FLAGS_VARIABLE = "TF_XLA_FLAGS"
_CACHE_FLAG = "--tf_xla_persistent_cache_directory"


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
    """`function` as an XLA-compiled `tf.function`.

    Without autograph: the phases use no Python control flow on tensors,
    and converting the dozens of functions a step calls cost about 1.3 s of
    every run's first epoch (benchmarks/README.md, issue 28).
    """
    return tf.function(function, jit_compile=True, autograph=False)


def host_key():
    """Names what XLA's compiled CPU programs depend on: the TensorFlow
    version, the architecture and the CPU's instruction-set flags (a program
    compiled for AVX-512 must never load on an AVX2 machine that shares the
    cache folder)."""
    features = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            features = next(
                (line for line in f if line.startswith("flags")), features
            )
    except OSError:  # not Linux: the processor's name is what is known
        pass
    text = "|".join((tf.__version__, platform.machine(), features))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def enable_persistent_cache(directory):
    """Keeps the XLA programs this process compiles in `directory`.

    A later process that compiles the same program (same model, shapes and
    TensorFlow, on the same kind of CPU: see `host_key`) loads it instead,
    which shortens its first epoch (benchmarks/README.md). TensorFlow reads
    `TF_XLA_FLAGS` when it first compiles with XLA, so this works until
    then; a cache folder already named there is left as it is.

    Args:
        directory: The folder; a subfolder per `host_key` is used. `None`
            leaves the flags alone.

    Returns:
        The folder programs go to, or `None` when nothing was changed.

    Example:

    >>> # enable_persistent_cache(os.path.expanduser("~/.cache/xla"))
    """
    flags = os.environ.get(XLA_FLAGS_VARIABLE, "")
    if directory is None or _CACHE_FLAG in flags:
        return None
    folder = os.path.join(os.fspath(directory), host_key())
    os.environ[XLA_FLAGS_VARIABLE] = f"{flags} {_CACHE_FLAG}={folder}".strip()
    return folder
