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


def _ema_adam():
    return keras.optimizers.Adam(beta_1=0.0, use_ema=True, ema_momentum=0.9)


def test_weight_averages_end_in_every_phase_variables():
    x = np.random.default_rng(0).random((96, 8, 8, 1)).astype("float32")
    model = make_model()
    model.compile(
        reconstruction_optimizer=_ema_adam(),
        discriminator_optimizer=_ema_adam(),
        jit_compile=False,
    )
    plain = make_model()
    plain.compile(jit_compile=False)
    for m in (model, plain):
        m.fit(x, epochs=2, batch_size=32, verbose=0, shuffle=False)
    # Keras writes the first optimizer's averages; the trainer the others'.
    for phase, networks in (
        ("reconstruction", (model.encoder, model.decoder)),
        ("discriminator", (model.discriminator,)),
    ):
        averages = getattr(model, f"{phase}_optimizer")
        weights = [w for n in networks for w in n.trainable_weights]
        for w, a in zip(
            weights, averages._model_variables_moving_average, strict=True
        ):
            np.testing.assert_array_equal(np.asarray(w), np.asarray(a))
    # Averaged weights differ from the last step's.
    assert not np.allclose(
        plain.discriminator.get_weights()[0],
        model.discriminator.get_weights()[0],
    )


def test_first_phase_averages_refuse_variables_out_of_order():
    class DecoderFirst(type(make_model())):
        def _phase_variables(self):
            variables = super()._phase_variables()
            variables["reconstruction"] = (
                self.decoder.trainable_variables
                + self.encoder.trainable_variables
            )
            return variables

    model = make_model()
    model.__class__ = DecoderFirst
    with pytest.raises(ValueError, match="reconstruction optimizer's weight"):
        model.compile(reconstruction_optimizer=_ema_adam())
    # Without averages the order does not matter.
    model.compile(reconstruction_optimizer="adam")
