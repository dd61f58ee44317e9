"""Tests of keras_aae.models.balance and the clustering model's options"""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import assert_clear
from helpers import build_variant
from helpers import changed
from helpers import snapshot
from keras_aae.models import balance as balance_lib


def test_equal_use_costs_nothing_and_one_cluster_costs_log_k():
    option = keras_aae.ClusterBalance(weight=2.0)
    k = 4
    equal = np.full((8, k), 1.0 / k, "float32")
    one = np.tile(np.eye(k, dtype="float32")[:1], (8, 1))
    # One-hot images spread evenly over the clusters also cost nothing.
    spread = np.tile(np.eye(k, dtype="float32"), (2, 1))
    assert float(option.loss(equal)) == pytest.approx(0.0, abs=1e-6)
    assert float(option.loss(spread)) == pytest.approx(0.0, abs=1e-6)
    assert float(option.loss(one)) == pytest.approx(2.0 * np.log(k), rel=1e-4)


def test_the_option_round_trips_its_config_and_refuses_bad_input():
    option = keras_aae.ClusterBalance(weight=0.5)
    again = balance_lib.get(keras.saving.serialize_keras_object(option))
    assert again.get_config() == {"weight": 0.5}
    assert repr(again) == "ClusterBalance(weight=0.5)"
    with pytest.raises(ValueError) as error:
        keras_aae.ClusterBalance(weight=-1)
    assert_clear(error, "weight", "-1")
    with pytest.raises(TypeError, match="balance='even'"):
        build_variant("clustering", latent_dim=3, balance="even")


def test_the_options_add_a_phase_that_trains_the_encoder_alone(digits):
    x = tf.constant(digits[0][:64])
    plain = build_variant("clustering", latent_dim=3, num_classes=5)
    assert "consistency" not in plain._PHASES
    model = build_variant(
        "clustering",
        latent_dim=3,
        num_classes=5,
        consistency=keras_aae.ShiftConsistency(max_shift=1),
        balance=keras_aae.ClusterBalance(),
    )
    assert model._PHASES[-1] == "consistency"
    model.compile()
    encoder, judge = snapshot(model.encoder), snapshot(model.discriminator)
    logged = model._consistency_phase(x, model._draw_step_randomness(x, None))
    assert set(logged) == {"consistency_loss", "balance_loss"}
    assert all(np.isfinite(float(v)) for v in logged.values())
    assert any(changed(encoder, model.encoder))
    assert not any(changed(judge, model.discriminator))


def test_the_balance_phase_alone_moves_towards_equal_use(digits):
    x = tf.constant(digits[0][:128])
    model = build_variant(
        "clustering",
        latent_dim=3,
        num_classes=4,
        balance=keras_aae.ClusterBalance(),
    )
    model.compile(consistency_learning_rate=1e-2)
    before = float(model.balance.loss(model.predict_categories(x.numpy())))
    for _ in range(30):
        model._consistency_phase(x, model._draw_step_randomness(x, None))
    after = float(model.balance.loss(model.predict_categories(x.numpy())))
    assert after < 0.5 * before


def test_fit_logs_them_and_a_saved_model_keeps_them(digits, tmp_path):
    model = build_variant(
        "clustering",
        latent_dim=3,
        num_classes=5,
        consistency=keras_aae.ShiftConsistency(max_shift=1),
        balance=keras_aae.ClusterBalance(weight=0.5),
    )
    model.compile(jit_compile=False)
    history = model.fit(digits[0][:128], epochs=1, batch_size=32, verbose=0)
    for name in ("consistency_loss", "balance_loss"):
        assert np.isfinite(history.history[name][0])
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    loaded = keras_aae.load_model(path)
    assert loaded.balance.get_config() == {"weight": 0.5}
    assert loaded.consistency.get_config() == model.consistency.get_config()
    assert loaded._PHASES == model._PHASES
    np.testing.assert_allclose(
        loaded.predict_categories(digits[0][:16]),
        model.predict_categories(digits[0][:16]),
        atol=1e-6,
    )
    # A config saved before the options existed loads without them.
    config = model.get_config()
    del config["consistency"], config["balance"]
    old = type(model).from_config(config)
    assert old.consistency is None and old.balance is None
    assert "consistency" not in old._PHASES
