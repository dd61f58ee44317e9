"""Tests of keras_aae.training.xla"""

import os
import subprocess
import sys

import numpy as np

from helpers import build_variant
from keras_aae import variants
from keras_aae._io import cache_directory
from keras_aae.training import xla


def test_persistent_cache_is_named_in_the_flags_once(monkeypatch, tmp_path):
    monkeypatch.setenv(xla.XLA_FLAGS_VARIABLE, "--tf_xla_cpu_global_jit")
    folder = xla.enable_persistent_cache(tmp_path)
    assert folder == os.path.join(str(tmp_path), xla.host_key())
    assert os.environ[xla.XLA_FLAGS_VARIABLE] == (
        f"--tf_xla_cpu_global_jit --tf_xla_persistent_cache_directory={folder}"
    )
    # A cache the user named already is theirs; no folder, no change.
    assert xla.enable_persistent_cache(tmp_path / "other") is None
    monkeypatch.delenv(xla.XLA_FLAGS_VARIABLE)
    assert xla.enable_persistent_cache(None) is None
    assert xla.XLA_FLAGS_VARIABLE not in os.environ


def test_host_key_is_stable_and_short():
    assert xla.host_key() == xla.host_key() and len(xla.host_key()) == 16


def test_cache_directory_follows_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_AAE_CACHE", str(tmp_path))
    assert cache_directory("xla") == os.path.join(str(tmp_path), "xla")
    monkeypatch.setenv("KERAS_AAE_CACHE", "")
    assert cache_directory("xla") is None
    monkeypatch.delenv("KERAS_AAE_CACHE")
    assert cache_directory() == os.path.join(
        os.path.expanduser("~"), ".cache", "keras_aae"
    )


_COMPILE = """
import sys
from keras_aae.training import xla
import tensorflow as tf
print(xla.enable_persistent_cache(sys.argv[1]))
@tf.function(jit_compile=True)
def f(x):
    return tf.matmul(x, x) + 1.0
print(float(f(tf.ones((8, 8)))[0, 0]))
"""


def test_a_process_writes_the_programs_it_compiles(tmp_path):
    env = {**os.environ}
    env.pop(xla.XLA_FLAGS_VARIABLE, None)
    result = subprocess.run(
        [sys.executable, "-c", _COMPILE, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    folder, value = result.stdout.split()
    assert float(value) == 9.0
    assert any(name.endswith(".pb") for name in os.listdir(folder))


def test_compiled_phases_take_the_steps_plain_phases_take(digits):
    # `compile()` on a CPU runs the phases XLA-compiled; most unit tests
    # compile with `jit_compile=False` (a compilation costs seconds there
    # and XLA is not what they test), and every variant trains compiled
    # through the CLI (tests/cli/test_evaluate.py). Here the compiled phases
    # must do the plain phases' math: the same losses, epoch by epoch.
    x = digits[0][:128]
    histories = []
    for jit_compile in ("auto", False):
        model = build_variant("unsupervised")
        model.compile(jit_compile=jit_compile)
        assert xla.jit_compile_phases(model, jit_compile, False) == (
            jit_compile == "auto"
        )
        ds = variants.training_dataset(
            "unsupervised", x, None, batch_size=32, seed=0
        )
        histories.append(model.fit(ds, epochs=3, verbose=0).history)
    compiled, plain = histories
    assert compiled.keys() == plain.keys()
    for name in compiled:
        # Losses agree to float32 rounding (here within 2e-7); an accuracy
        # is a count of decisions, where a logit at zero may flip on
        # another CPU: two decisions in an epoch's 256.
        tolerance = {"atol": 2 / 256} if "accuracy" in name else {"rtol": 1e-4}
        np.testing.assert_allclose(
            compiled[name], plain[name], err_msg=name, **tolerance
        )
