"""Training under tf.distribute: two replicas on two logical CPUs
(configured in conftest.py), two worker processes on 127.0.0.1, mixed
precision."""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import make_model


def _mirrored():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, devices
    return tf.distribute.MirroredStrategy(devices)


def _model(strategy, optimizers=None, **kwargs):
    with strategy.scope():
        model = make_model(latent_dim=2, hidden=(32,), seed=4, **kwargs)
        # Plain phases on both sides: under a strategy they never run
        # XLA-compiled (`training.xla`), and the one-replica reference would
        # compile them (seconds); tests/training/test_xla.py covers XLA.
        model.compile(jit_compile=False, **(optimizers() if optimizers else {}))
    return model


def _sgd():
    # Plain SGD: unlike Adam, its step is proportional to the gradient, so a
    # loss summed instead of averaged over replicas shows up as a 2x step.
    # The adversarial phases do nothing (their prior draws differ by design).
    return {
        "reconstruction_optimizer": keras.optimizers.SGD(0.5),
        "discriminator_optimizer": keras.optimizers.SGD(0.0),
        "generator_optimizer": keras.optimizers.SGD(0.0),
    }


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_steps_per_execution_above_one_is_refused_under_a_strategy():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    with tf.distribute.MirroredStrategy(devices).scope():
        m = make_model(latent_dim=2, hidden=(16,))
        with pytest.raises(ValueError) as error:
            m.compile(steps_per_execution=8)
        assert_clear(error, "steps_per_execution=8")
        m.compile()
        assert m.steps_per_execution == 1


def test_each_replica_draws_its_own_prior_samples():
    strategy = _mirrored()
    model = _model(strategy)
    # A Gaussian prior's samples are drawn as uniforms (models/draws.py).
    x = np.zeros((16, 8, 8, 1), "float32")
    draws = strategy.run(
        lambda: model._draw_step_randomness(x, None)["uniforms"][0]
    )
    first, second = [
        t.numpy() for t in strategy.experimental_local_results(draws)
    ]
    rows = 2 * model.discriminator_steps + 1
    assert first.shape == second.shape == (rows, 16, 2)
    assert not np.allclose(first, second)
    # Replica 0 draws exactly what a model outside any strategy draws.
    alone = make_model(latent_dim=2, hidden=(32,), seed=4)
    np.testing.assert_array_equal(
        alone._draw_step_randomness(x, None)["uniforms"][0], first
    )


def test_replica_seed_generator_round_trips():
    gen = keras_aae.training.ReplicaSeedGenerator(seed=7, name="g")
    restored = assert_config_round_trip(gen, "keras_aae>ReplicaSeedGenerator")
    np.testing.assert_array_equal(
        keras.random.normal((3,), seed=gen),
        keras.random.normal((3,), seed=restored),
    )


def test_two_replicas_take_the_one_replica_step(digits):
    x = digits[0][:64]
    weights = []
    for strategy in (tf.distribute.get_strategy(), _mirrored()):
        # Noise-free codes: a universal posterior's input noise, like the
        # prior draws, differs between replicas by design.
        model = _model(strategy, _sgd, posterior="deterministic")
        model.fit(x, batch_size=64, epochs=1, shuffle=False, verbose=0)
        weights.append(
            model.encoder.get_weights() + model.decoder.get_weights()
        )
    start = _model(
        tf.distribute.get_strategy(), _sgd, posterior="deterministic"
    )
    moved = 0.0
    for one, two, initial in zip(
        *weights,
        start.encoder.get_weights() + start.decoder.get_weights(),
        strict=True,
    ):
        np.testing.assert_allclose(one, two, atol=2e-6)
        moved = max(moved, float(np.abs(one - initial).max()))
    assert moved > 1e-3  # the step was not nothing


def test_two_replicas_reach_the_one_replica_losses(digits):
    x = digits[0]
    logs = []
    for strategy in (tf.distribute.get_strategy(), _mirrored()):
        model = _model(strategy)
        history = model.fit(
            x, batch_size=64, epochs=6, shuffle=False, verbose=0
        )
        logs.append({k: v[-1] for k, v in history.history.items()})
    one, two = logs
    assert set(one) == set(two)
    np.testing.assert_allclose(
        two["reconstruction_loss"], one["reconstruction_loss"], rtol=0.1
    )
    np.testing.assert_allclose(
        two["discriminator_loss"], one["discriminator_loss"], atol=0.05
    )
    np.testing.assert_allclose(
        two["generator_loss"], one["generator_loss"], atol=0.1
    )


# `keras-aae train --strategy mirrored` in a process of its own, as users run
# it, on two logical CPUs. In this test process, after other tests, the run
# with the default sample adversary stopped with a collective shape mismatch
# (instance 100: the adversary's 16,897 gradients against the autoencoder's
# 4,354) in full-suite runs, never alone: state left by earlier tests, not
# diagnosed (benchmarks/README.md, issue 29).
_MIRRORED_CLI = """
import sys
import tensorflow as tf
cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2
)
from keras_aae import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_cli_mirrored_trains_on_two_replicas(tmp_path):
    out = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable, "-c", _MIRRORED_CLI, "train", "--dataset",
            "digits", "--latent-dim", "2", "--hidden", "32", "--epochs", "1",
            "--strategy", "mirrored", "--out", str(out), "--verbose", "0",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 replicas" in result.stdout
    model = keras.models.load_model(out / "model.keras")
    assert model.sample_adversary is not None  # the default, under the strategy
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_mixed_float16_loss_scales_every_optimizer(digits):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = make_model(latent_dim=2, hidden=(32,))
        model.compile()
        phases = [getattr(model, f"{p}_optimizer") for p in model._PHASES]
        assert all(
            isinstance(o, keras.optimizers.LossScaleOptimizer) for o in phases
        )
        history = model.fit(digits[0][:256], batch_size=64, epochs=2, verbose=0)
        assert np.isfinite(history.history["loss"]).all()
        assert all(int(o.iterations.numpy()) > 0 for o in phases)
        restored = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(model)
        )
        restored.compile_from_config(model.get_compile_config())
        assert isinstance(
            restored.discriminator_optimizer,
            keras.optimizers.LossScaleOptimizer,
        )
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_two_worker_processes_train_in_sync(tmp_path):
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    out = tmp_path / "run"
    procs = []
    for index in range(2):
        config = {
            "cluster": {"worker": workers},
            "task": {"type": "worker", "index": index},
        }
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "keras_aae",
                    "train",
                    "--dataset",
                    "digits",
                    "--latent-dim",
                    "2",
                    "--hidden",
                    "32",
                    "--epochs",
                    "2",
                    "--strategy",
                    "multi_worker",
                    "--out",
                    str(out),
                    "--verbose",
                    "0",
                ],
                env={**os.environ, "TF_CONFIG": json.dumps(config)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr[-3000:]
    assert "2 replicas" in results[0][0]
    chief = keras.models.load_model(out / "model.keras").get_weights()
    other = keras.models.load_model(
        out / "workers" / "1" / "model.keras"
    ).get_weights()
    for a, b in zip(chief, other, strict=True):
        np.testing.assert_array_equal(a, b)  # the replicas stayed in sync
    with open(out / "history.csv") as f:
        assert len(f.read().strip().splitlines()) == 3


@pytest.mark.parametrize("strategy", ["multi_worker"])
def test_multi_worker_without_tf_config_is_a_user_error(tmp_path, strategy):
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "keras_aae",
            "train",
            "--dataset",
            "digits",
            "--strategy",
            strategy,
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "TF_CONFIG" in result.stderr and "Traceback" not in result.stderr
