"""Tests of keras_aae.models.semi_supervised"""

import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import build_variant
from helpers import changed
from helpers import run_phase
from helpers import snapshot
from keras_aae import variants


def test_semi_supervised_discriminator_phase_updates_both_discriminators(
    digits,
):
    model = build_variant("semi_supervised", latent_dim=3)
    model.compile()
    before = {
        name: snapshot(getattr(model, name))
        for name in ("discriminator", "categorical_discriminator", "encoder")
    }
    run_phase(model, "_discriminator_phase", tf.constant(digits[0][:32]))
    assert all(
        changed(
            before["categorical_discriminator"], model.categorical_discriminator
        )
    )
    assert all(changed(before["discriminator"], model.discriminator))
    for b, v in zip(
        before["encoder"], model.encoder.trainable_variables, strict=True
    ):
        np.testing.assert_array_equal(b, v.numpy())


def test_semi_supervised_generator_phase_is_judged_by_both_discriminators(
    digits,
):
    model = build_variant("semi_supervised", latent_dim=3)
    model.compile()
    x = tf.constant(digits[0][:32])
    codes = model.encoder(x)
    # The generator's loss is the sum of both parts' losses: zeroing the
    # categorical discriminator's output layer changes it.
    full = float(model._generator_loss(codes, None))
    for v in model.categorical_discriminator.get_layer("logits").weights:
        v.assign(tf.zeros_like(v) + 5.0)
    assert float(model._generator_loss(codes, None)) != pytest.approx(full)


def test_classification_phase_lowers_labeled_cross_entropy(digits):
    model = build_variant("semi_supervised", latent_dim=3)
    model.compile(classification_learning_rate=1e-2)
    x = tf.constant(digits[0][:64])
    labels = np.array(digits[1][:64], dtype="int32")
    labels[32:] = -1  # unlabeled: must not count
    labels = tf.constant(labels)

    def labeled_loss():
        probs = model.encoder(x)[:, :10]
        return float(model._classification_loss(probs, labels))

    before = labeled_loss()
    for _ in range(20):
        run_phase(model, "_classification_phase", x, labels)
    assert labeled_loss() < 0.5 * before
    # With no labeled example the loss is 0 and nothing moves.
    weights = snapshot(model.encoder)
    logged = run_phase(model, "_classification_phase", x, tf.fill((64,), -1))
    assert float(logged["classification_loss"]) == 0.0
    for b, v in zip(weights, model.encoder.trainable_variables, strict=True):
        np.testing.assert_array_equal(b, v.numpy())


@pytest.mark.parametrize(
    "posterior, noisy",
    [("deterministic", False), (keras_aae.UniversalPosterior(2.0), True)],
)
def test_classification_phase_reads_the_posteriors_input_noise(
    digits, posterior, noisy
):
    model = build_variant("semi_supervised", latent_dim=3, posterior=posterior)
    model.compile()
    x = tf.constant(digits[0][:64])
    labels = tf.constant(np.array(digits[1][:64], dtype="int32"))
    clean = float(model._classification_loss(model.encoder(x)[:, :10], labels))
    # The phase returns the loss it stepped on, computed before its update.
    logged = run_phase(model, "_classification_phase", x, labels)
    loss = float(logged["classification_loss"])
    assert (abs(loss - clean) > 1e-4) == noisy


def test_semi_supervised_learns_to_classify_digits_with_100_labels(
    digits_splits,
):
    (x, y), (x_test, y_test) = digits_splits
    model = build_variant("semi_supervised", latent_dim=4)
    # Without XLA: it compiled twice here (full and last batch), 25 s of a
    # 31 s test; the compiled phases have their own test (test_xla.py).
    model.compile(jit_compile=False)
    ds = variants.training_dataset(
        "semi_supervised", x, y, num_labels=100, batch_size=64, seed=0
    )
    model.fit(ds, epochs=15, verbose=0)
    error = float(np.mean(model.classify(x_test) != y_test))
    # Chance is 0.9; a model that ignored its 100 labels stays near it.
    assert error < 0.3, error
