"""Tests of keras_aae.training.trainer"""

import keras
import pytest


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
