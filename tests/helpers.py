"""Helpers shared by the tests: small models, phases run alone, state.

Imported as `from helpers import ...` (pytest puts `tests/` on the path,
see `pythonpath` in setup.cfg); fixtures live in `conftest.py`.
"""

import contextlib
import io
import json
import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf
from hypothesis import HealthCheck
from hypothesis import settings

# TensorFlow exports the setter only; `call_cli` puts the old value back.
from tensorflow.python.framework import config as tf_config

import keras_aae
from keras_aae import cli
from keras_aae import networks
from keras_aae import variants
from keras_aae.models.adversarial_autoencoder import DEFAULT_POSTERIOR
from keras_aae.training import xla

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_TFDS = os.path.join(ROOT, "..", "shared", "data", "tensorflow_datasets")


def mnist_data_dir():
    """The prepared TFDS folder holding MNIST, or None."""
    for candidate in (os.environ.get("TFDS_DATA_DIR"), SHARED_TFDS):
        if candidate and os.path.isdir(os.path.join(candidate, "mnist")):
            return os.path.abspath(candidate)
    return None


def make_model(
    latent_dim=4, hidden=(32,), shape=(8, 8, 1), prior="gaussian", **kw
):
    """A small MLP adversarial autoencoder for 8x8 images: the paper's
    model (no sample adversary) unless `sample_adversary` is given."""
    keras.utils.set_random_seed(kw.pop("init_seed", 0))
    kw.setdefault("sample_adversary", None)
    per_dim = keras_aae.posteriors.get(
        kw.get("posterior", DEFAULT_POSTERIOR)
    ).outputs_per_dim
    return keras_aae.AdversarialAutoencoder(
        encoder=networks.mlp_encoder(shape, latent_dim * per_dim, list(hidden)),
        decoder=networks.mlp_decoder(latent_dim, shape, list(hidden)),
        discriminator=networks.mlp_discriminator(latent_dim, list(hidden)),
        prior=prior,
        seed=kw.pop("seed", 0),
        **kw,
    )


def run_phase(model, phase, x, labels=None):
    """Runs one training phase of `model` by itself on the batch `x`."""
    step_draws = model._draw_step_randomness(x, labels)
    if phase == "_reconstruction_phase":
        return model._reconstruction_phase(x, labels, step_draws["posterior"])
    part_draws = model._part_draws(
        step_draws["samples"], step_draws["uniforms"]
    )
    with tf.GradientTape(persistent=True) as tape:
        codes = model.encoder(x, training=True)
    if phase == "_discriminator_phase":
        return model._discriminator_phase(codes, labels, part_draws)
    if phase == "_classification_phase":
        return model._classification_phase(x, labels, step_draws)
    return model._generator_phase(codes, labels, tape, part_draws)


def weights_of(model):
    return [v.numpy() for v in model.weights]


def optimizer_state(optimizer):
    """Every variable of an optimizer (iterations, slots), as numpy."""
    return {
        f"{i}:{v.name}": v.numpy() for i, v in enumerate(optimizer.variables)
    }


def assert_config_round_trip(obj, registered_name=None):
    """Asserts that `obj` rebuilds from its config sent through JSON.

    As keras-hub's `run_serialization_test`: `get_config`, JSON dump and
    load, `from_config`, and the rebuilt object's config equals the first;
    the class is found by its registered name (`keras_aae>...`).

    Returns:
        The rebuilt object.
    """
    cls = type(obj)
    name = keras.saving.get_registered_name(cls)
    if registered_name is not None:
        assert name == registered_name
    assert keras.saving.get_registered_object(name) is cls, name
    config = json.loads(json.dumps(obj.get_config()))
    restored = cls.from_config(config)
    assert type(restored) is cls
    assert json.dumps(restored.get_config(), sort_keys=True) == json.dumps(
        config, sort_keys=True
    )
    return restored


# Hypothesis settings of the argument-check tests: a few dozen cases each.
FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# The networks of the variant tests: 8x8 digits, one small hidden layer.
SHAPE = (8, 8, 1)
HIDDEN = [32]

# A small, quick `keras-aae train` on the offline digits.
SMALL_RUN = [
    "--dataset", "digits", "--latent-dim", "4", "--hidden", "32", "--seed", "0",
]  # fmt: skip


def assert_clear(error, *words):
    """Asserts that a raised error says what it received and names `words`."""
    message = str(error.value)
    assert "Received" in message or "expected" in message, message
    for word in words:
        assert word in message, message


def build_variant(variant, latent_dim=2, num_classes=10, **kwargs):
    """A small, seeded model of `variant` for 8x8 digits."""
    keras.utils.set_random_seed(0)
    return variants.build(
        variant,
        SHAPE,
        latent_dim,
        hidden=HIDDEN,
        num_classes=num_classes,
        seed=0,
        **kwargs,
    )


def snapshot(net):
    """The values of `net`'s trainable variables."""
    return [v.numpy() for v in net.trainable_variables]


def changed(before, net):
    """For each trainable variable of `net`: whether it moved since `before`."""
    return [
        not np.array_equal(b, v.numpy())
        for b, v in zip(before, net.trainable_variables, strict=True)
    ]


def rng(seed=0):
    return np.random.default_rng(seed)


def blobs(n_per_class=50, classes=4, seed=0):
    """Well-separated 5-D Gaussian blobs and their labels."""
    generator = rng(seed)
    centres = generator.normal(size=(classes, 5)) * 10
    labels = np.repeat(np.arange(classes), n_per_class)
    points = centres[labels] + generator.normal(size=(len(labels), 5))
    return points, labels


def run_cli(*args, timeout=300, env=None, cwd=None):
    """Runs `python -m keras_aae *args` as users run it, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "keras_aae", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def call_cli(*args):
    """Runs `keras_aae.cli.main(args)` in this process.

    The same code as `run_cli` without a new interpreter importing
    TensorFlow and exiting (about 8 s a call here). `train` sets process-wide
    state as it does for users (the XLA cache flag, op determinism, the
    dtype policy, the global seeds): the first three are put back after the
    call, and tests never rely on the global seeds. Tests whose subject is
    the process itself (`python -m`, warnings on standard error, kills)
    use `run_cli`.

    Returns:
        A `subprocess.CompletedProcess` with `returncode`, `stdout` and
        `stderr`, as `run_cli` returns.
    """
    out, err = io.StringIO(), io.StringIO()
    xla_flags = os.environ.get("XLA_FLAGS")
    determinism = xla.op_determinism_enabled()
    policy = keras.mixed_precision.global_policy()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exit_:  # argparse's own errors
                code = exit_.code
    finally:
        if xla_flags is None:
            os.environ.pop("XLA_FLAGS", None)
        else:
            os.environ["XLA_FLAGS"] = xla_flags
        if not determinism:
            tf_config.disable_op_determinism()
        keras.mixed_precision.set_global_policy(policy)
    return subprocess.CompletedProcess(
        args, code, out.getvalue(), err.getvalue()
    )
