import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from conftest import make_model
from conftest import run_phase
from conftest import weights_of

LOGGED = {
    "loss",
    "reconstruction_loss",
    "discriminator_loss",
    "generator_loss",
    "discriminator_accuracy",
}


def _snapshot(net):
    return [v.numpy() for v in net.trainable_variables]


def _changed(before, net):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, net.trainable_variables, strict=True)]


@pytest.mark.parametrize(
    "phase, updated",
    [
        ("_reconstruction_phase", {"encoder", "decoder"}),
        ("_discriminator_phase", {"discriminator"}),
        ("_generator_phase", {"encoder"}),
    ],
)
def test_each_phase_updates_only_its_own_variables(model, small_images, phase, updated):
    nets = {n: getattr(model, n) for n in ("encoder", "decoder", "discriminator")}
    before = {n: _snapshot(net) for n, net in nets.items()}
    run_phase(model, phase, tf.constant(small_images[:32]))
    for name, net in nets.items():
        changed = _changed(before[name], net)
        if name in updated:
            assert all(changed), f"{phase} left some {name} variables unchanged"
        else:
            assert not any(changed), f"{phase} changed {name}"


def test_each_phase_steps_only_its_own_optimizer(model, small_images):
    model.fit(small_images, epochs=1, batch_size=64, verbose=0)
    steps = len(small_images) // 64
    assert int(model.reconstruction_optimizer.iterations) == steps
    assert int(model.generator_optimizer.iterations) == steps
    assert model.discriminator_steps == 5
    assert int(model.discriminator_optimizer.iterations) == 5 * steps
    assert model.optimizer is model.reconstruction_optimizer


class _TrackerCounts(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.counts = []

    def on_epoch_end(self, epoch, logs=None):
        self.counts.append([int(m.count) for m in self.model.metrics])


def test_losses_and_accuracy_logged_and_reset_each_epoch(model, small_images):
    counts = _TrackerCounts()
    history = model.fit(
        small_images, epochs=3, batch_size=32, verbose=0, callbacks=[counts]
    )
    assert set(history.history) == LOGGED
    batches = len(small_images) // 32
    # Each epoch's means cover that epoch's batches only, not all so far.
    assert counts.counts == [[batches] * 5] * 3
    for value in history.history["discriminator_accuracy"]:
        assert 0.0 <= value <= 1.0
    h = history.history
    total = np.array(h["reconstruction_loss"]) + h["discriminator_loss"] + h["generator_loss"]
    np.testing.assert_allclose(h["loss"], total, rtol=1e-5)


def test_training_lowers_reconstruction_loss(model, digits):
    history = model.fit(digits[0], epochs=4, batch_size=64, verbose=0)
    losses = history.history["reconstruction_loss"]
    assert losses[-1] < 0.7 * losses[0]


def test_accepts_arrays_tuples_and_datasets(digits):
    images, labels = digits[0][:128], digits[1][:128]
    inputs = [
        dict(x=images, batch_size=32),
        dict(x=images, y=labels, batch_size=32),
        dict(x=tf.data.Dataset.from_tensor_slices(images).batch(32)),
        dict(x=tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)),
    ]
    for kwargs in inputs:
        m = make_model()
        m.compile()
        history = m.fit(epochs=1, verbose=0, **kwargs)
        assert set(history.history) == LOGGED


def test_evaluate_reports_same_metrics_without_updating(model, small_images):
    before = weights_of(model)
    seed_before = model.seed_generator.state.numpy()
    results = model.evaluate(small_images, batch_size=64, verbose=0, return_dict=True)
    assert set(results) == LOGGED
    for b, a in zip(before, weights_of(model), strict=True):
        np.testing.assert_array_equal(b, a)
    assert int(model.reconstruction_optimizer.iterations) == 0
    assert np.all(np.isfinite(list(results.values())))
    assert not np.array_equal(seed_before, model.seed_generator.state.numpy())


def test_prior_draws_differ_every_step(model, small_images):
    first = model.seed_generator.state.numpy()
    model.fit(small_images[:64], epochs=1, batch_size=32, verbose=0)
    second = model.seed_generator.state.numpy()
    model.fit(small_images[:64], epochs=1, batch_size=32, verbose=0)
    assert len({first.tobytes(), second.tobytes(), model.seed_generator.state.numpy().tobytes()}) == 3


def test_gradient_penalty_trains(small_images):
    m = make_model(gradient_penalty_weight=1.0)
    m.compile()
    history = m.fit(small_images, epochs=1, batch_size=64, verbose=0)
    assert np.isfinite(history.history["discriminator_loss"][0])


def test_config_round_trip(model):
    config = model.get_config()
    restored = keras_aae.AdversarialAutoencoder.from_config(config)
    assert restored.get_config() == config
    assert restored.prior.get_config() == model.prior.get_config()


def test_generate_is_seeded(model):
    a, b = model.generate(5, seed=1), model.generate(5, seed=1)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 8, 8, 1)
    assert not np.array_equal(a, model.generate(5, seed=2))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(prior=keras_aae.GaussianPrior(5)), ValueError, "prior.latent_dim=5"),
        (dict(reconstruction_loss="l1"), ValueError, "reconstruction_loss='l1'"),
        (dict(adversarial_weight=-1.0), ValueError, "adversarial_weight=-1.0"),
        (dict(prior="nope"), ValueError, "prior='nope'"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        make_model(**kwargs)
    assert words in str(info.value)


def test_mismatched_networks_are_refused():
    from keras_aae import networks

    with pytest.raises(ValueError, match="decoder input shape"):
        keras_aae.AdversarialAutoencoder(
            networks.mlp_encoder((8, 8, 1), 4, [8]),
            networks.mlp_decoder(3, (8, 8, 1), [8]),
            networks.mlp_discriminator(4, [8]),
        )
    with pytest.raises(ValueError, match="decoder output shape"):
        keras_aae.AdversarialAutoencoder(
            networks.mlp_encoder((8, 8, 1), 4, [8]),
            networks.mlp_decoder(4, (4, 4, 1), [8]),
            networks.mlp_discriminator(4, [8]),
        )
    with pytest.raises(TypeError, match="encoder"):
        keras_aae.AdversarialAutoencoder("enc", None, None)


def test_compile_refuses_foreign_arguments(model):
    with pytest.raises(ValueError, match="loss="):
        model.compile(loss="mse")
    with pytest.raises(ValueError, match="discriminator_learning_rate=0"):
        model.compile(discriminator_learning_rate=0)


def test_compile_refuses_a_shared_optimizer(model):
    import keras

    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="its own optimizer"):
        model.compile(discriminator_optimizer=shared, generator_optimizer=shared)
