"""Tests of keras_aae.models.consistency"""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import build_variant
from helpers import changed
from helpers import run_phase
from helpers import snapshot
from keras_aae import variants
from keras_aae.models import consistency as consistency_lib


def _bordered_images(n=6, size=12, border=3, seed=0):
    """Random images whose outer `border` pixels are zero (as MNIST's)."""
    x = np.random.default_rng(seed).random((n, size, size, 1), "float32")
    x[:, :border] = 0
    x[:, -border:] = 0
    x[:, :, :border] = 0
    x[:, :, -border:] = 0
    return x


def test_each_image_moves_by_its_own_shift():
    option = keras_aae.ShiftConsistency(max_shift=2, noise=0.0)
    x = _bordered_images()
    rows = np.array([0, 1, -2, 2, -1, 0])
    cols = np.array([0, -1, 2, 0, 2, -2])
    draws = {
        "shifts": tf.constant((rows + 2) * 5 + (cols + 2), "int32"),
        "normals": tf.zeros_like(x),
    }
    expected = np.stack(
        [
            np.roll(image, (r, c), axis=(0, 1))
            for image, r, c in zip(x, rows, cols, strict=True)
        ]
    )
    np.testing.assert_array_equal(option.perturb(x, draws), expected)


def test_draws_cover_every_shift_and_the_noise_has_its_scale():
    option = keras_aae.ShiftConsistency(max_shift=1, noise=0.5)
    x = np.zeros((2000, 4, 4, 1), "float32")
    draws = option.draws(x, keras.random.SeedGenerator(0))
    assert sorted(set(np.asarray(draws["shifts"]).tolist())) == list(range(9))
    perturbed = np.asarray(option.perturb(x, draws))
    assert perturbed.std() == pytest.approx(0.5, rel=0.02)


def test_divergence_is_zero_for_equal_posteriors_and_weighted():
    probabilities = tf.constant([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    other = tf.constant([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])
    one = keras_aae.ShiftConsistency(weight=1.0)
    three = keras_aae.ShiftConsistency(weight=3.0)
    assert float(one.divergence(probabilities, probabilities)) == pytest.approx(
        0.0, abs=1e-6
    )
    kl = np.sum(probabilities * np.log(probabilities / other), axis=1).mean()
    assert float(one.divergence(probabilities, other)) == pytest.approx(
        kl, rel=1e-4
    )
    assert float(three.divergence(probabilities, other)) == pytest.approx(
        3 * kl, rel=1e-4
    )


def test_the_option_round_trips_its_config():
    option = keras_aae.ShiftConsistency(
        weight=2.5, max_shift=3, noise=0.1, labeled=True
    )
    restored = consistency_lib.get(keras.saving.serialize_keras_object(option))
    assert restored.get_config() == option.get_config()
    assert repr(restored) == repr(option)
    assert consistency_lib.get(None) is None


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"weight": -1.0}, "weight=-1.0"),
        ({"max_shift": -1}, "max_shift=-1"),
        ({"max_shift": 1.5}, "max_shift=1.5"),
        ({"noise": -0.3}, "noise=-0.3"),
    ],
)
def test_bad_arguments_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        keras_aae.ShiftConsistency(**kwargs)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"weight": -1.0}, "weight=-1.0"),
        ({"epsilon": 0.0}, "epsilon=0.0"),
        ({"xi": -0.1}, "xi=-0.1"),
        ({"power_iterations": 0}, "power_iterations=0"),
    ],
)
def test_bad_virtual_adversarial_arguments_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        keras_aae.VirtualAdversarialConsistency(**kwargs)


def test_the_virtual_adversarial_option_round_trips_its_config():
    option = keras_aae.VirtualAdversarialConsistency(
        weight=0.5, epsilon=1.5, xi=0.2, power_iterations=2, labeled=True
    )
    restored = consistency_lib.get(keras.saving.serialize_keras_object(option))
    assert isinstance(restored, keras_aae.VirtualAdversarialConsistency)
    assert restored.get_config() == option.get_config()
    assert repr(restored) == repr(option)


def test_the_virtual_adversarial_direction_moves_q_y_x_most():
    # A fixed softmax classifier: VAT's perturbation, of norm epsilon per
    # image, must change q(y|x) more than random moves of the same norm.
    rng = np.random.default_rng(0)
    weights = tf.constant(rng.normal(size=(64, 10)), "float32")

    def classify(images):
        return tf.nn.softmax(tf.reshape(images, (-1, 64)) @ weights)

    x = tf.constant(rng.random((200, 8, 8, 1)), "float32")
    option = keras_aae.VirtualAdversarialConsistency(epsilon=0.5, xi=0.05)
    draws = option.draws(x, keras.random.SeedGenerator(1))
    moved = option.perturb(x, draws, classify)
    norms = np.sqrt(np.sum(np.square(moved - x), axis=(1, 2, 3)))
    # float32 differences of pixels near 1: a few 1e-4 off.
    np.testing.assert_allclose(norms, 0.5, rtol=2e-3)
    random = x + 0.5 * draws["normals"] / np.sqrt(
        np.sum(np.square(draws["normals"]), axis=(1, 2, 3), keepdims=True)
    )
    clean = classify(x)
    adversarial = float(option.divergence(clean, classify(moved)))
    by_chance = float(option.divergence(clean, classify(random)))
    assert adversarial > 3 * by_chance


def test_a_model_refuses_another_type():
    with pytest.raises(TypeError, match="consistency='shifts'"):
        build_variant("semi_supervised", latent_dim=3, consistency="shifts")


@pytest.mark.parametrize(
    "option",
    [keras_aae.ShiftConsistency(), keras_aae.VirtualAdversarialConsistency()],
    ids=repr,
)
def test_unlabeled_images_alone_train_the_classifier_through_it(digits, option):
    x = tf.constant(digits[0][:64])
    unlabeled = tf.fill((64,), -1)
    for choice, moves in ((None, False), (option, True)):
        model = build_variant(
            "semi_supervised", latent_dim=3, consistency=choice
        )
        model.compile()
        before = snapshot(model.encoder)
        logged = run_phase(model, "_classification_phase", x, unlabeled)
        assert float(logged["classification_loss"]) == 0.0
        assert any(changed(before, model.encoder)) == moves
        assert ("consistency_loss" in logged) == moves


@pytest.mark.parametrize(
    "option",
    [
        keras_aae.ShiftConsistency(weight=2.0, max_shift=1),
        keras_aae.VirtualAdversarialConsistency(weight=2.0, epsilon=1.0),
    ],
    ids=repr,
)
def test_fit_logs_it_and_a_saved_model_keeps_it(digits, tmp_path, option):
    model = build_variant("semi_supervised", latent_dim=3, consistency=option)
    model.compile(jit_compile=False)
    ds = variants.training_dataset(
        "semi_supervised", *digits, num_labels=50, batch_size=32, seed=0
    )
    history = model.fit(ds.take(4), epochs=1, verbose=0)
    assert np.isfinite(history.history["consistency_loss"][0])
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    loaded = keras_aae.load_model(path)
    assert loaded.consistency.get_config() == option.get_config()
    # A config saved before the option existed loads without one.
    config = model.get_config()
    del config["consistency"]
    assert type(model).from_config(config).consistency is None
    plain = build_variant("semi_supervised", latent_dim=3)
    assert "consistency_loss" not in [m.name for m in plain.metrics]
