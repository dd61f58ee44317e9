"""Tests of keras_aae.training.trainer"""

import keras
import numpy as np
import pytest

from helpers import make_model
from helpers import weights_of
from keras_aae import data


def test_compile_refuses_foreign_arguments(model):
    with pytest.raises(ValueError, match="loss="):
        model.compile(loss="mse")
    with pytest.raises(ValueError, match="discriminator_learning_rate=0"):
        model.compile(discriminator_learning_rate=0)


def test_compile_refuses_a_shared_optimizer(model):

    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="its own optimizer"):
        model.compile(
            discriminator_optimizer=shared, generator_optimizer=shared
        )


def _trained(x, y=None, **fit_kwargs):
    model = make_model(seed=5)
    # The batching is under test, not XLA: without it, each of these fits
    # skips two XLA compilations (full and last batch), most of the test.
    model.compile(jit_compile=False)
    history = model.fit(x, y, epochs=2, verbose=0, **fit_kwargs)
    return model, history


def test_numpy_fit_takes_the_package_pipeline_with_keras_semantics():
    x = np.random.default_rng(0).random((70, 8, 8, 1)).astype("float32")
    model, _ = _trained(x, batch_size=16, shuffle=False)
    # Two epochs of 5 batches (the last of 6 images), as Keras batches.
    assert int(model.reconstruction_optimizer.iterations) == 10
    same, _ = _trained(
        data.as_dataset(x, batch_size=16, shuffle=False), shuffle=False
    )
    for a, b in zip(weights_of(model), weights_of(same), strict=True):
        np.testing.assert_array_equal(a, b)
    # Shuffled, a different order gives different weights.
    shuffled, _ = _trained(x, batch_size=16)
    assert not all(
        np.array_equal(a, b)
        for a, b in zip(weights_of(model), weights_of(shuffled), strict=True)
    )


def test_numpy_fit_with_keras_only_arguments_keeps_keras_pipeline():
    x = np.random.default_rng(0).random((64, 8, 8, 1)).astype("float32")
    model, history = _trained(x, batch_size=16, validation_split=0.25)
    # 48 training images in 3 batches per epoch; validation logged.
    assert int(model.reconstruction_optimizer.iterations) == 6
    assert "val_loss" in history.history
