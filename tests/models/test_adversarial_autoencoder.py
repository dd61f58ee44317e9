"""Tests of keras_aae.models.adversarial_autoencoder"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

import keras_aae
from helpers import FAST
from helpers import SHAPE
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant
from helpers import changed
from helpers import make_model
from helpers import run_phase
from helpers import snapshot
from helpers import weights_of
from keras_aae import networks
from keras_aae import priors

# Values that are not a non-negative finite number.
_NOT_NON_NEGATIVE = st.one_of(
    st.floats(max_value=-1e-9),
    st.just(math.nan),
    st.just(math.inf),
    st.integers(max_value=-1),
    st.text(max_size=5),
    st.none(),
)


LOGGED = {
    "loss",
    "reconstruction_loss",
    "discriminator_loss",
    "generator_loss",
    "discriminator_accuracy",
}


class _TrackerCounts(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.counts = []

    def on_epoch_end(self, epoch, logs=None):
        self.counts.append([int(m.count) for m in self.model.metrics])


@FAST
@given(
    name=st.sampled_from(
        [
            "reconstruction_weight",
            "adversarial_weight",
            "gradient_penalty_weight",
            "discriminator_noise",
            "discriminator_steps",
            "reconstruction_loss",
        ]
    ),
    value=st.one_of(_NOT_NON_NEGATIVE, st.integers(max_value=0)),
)
def test_model_refuses_bad_arguments(name, value):
    if name != "discriminator_steps" and isinstance(value, int) and value == 0:
        value = -1  # a zero weight is a valid choice
    if name == "discriminator_steps" and value == "auto":
        value = "Auto"  # "auto" is a valid choice
    with pytest.raises((ValueError, TypeError)) as error:
        make_model(**{name: value})
    assert_clear(error, name)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (
            {"encoder": networks.mlp_encoder((8, 8, 1), 3, [16])},
            ["decoder input", "(3,)"],
        ),
        (
            {"discriminator": networks.mlp_discriminator(3, [16])},
            ["discriminator", "(2,)"],
        ),
        (
            {"decoder": networks.mlp_decoder(2, (7, 7, 1), [16])},
            ["decoder output"],
        ),
        ({"prior": priors.GaussianPrior(3)}, ["latent_dim", "3"]),
        ({"prior": "swiss_roll", "latent": 3}, ["latent_dim=3"]),
        ({"encoder": "not a model"}, ["encoder", "str"]),
    ],
)
def test_mismatched_networks_and_priors_are_refused(kwargs, words):
    latent = kwargs.pop("latent", 2)
    parts = {
        "encoder": networks.mlp_encoder((8, 8, 1), latent, [16]),
        "decoder": networks.mlp_decoder(latent, (8, 8, 1), [16]),
        "discriminator": networks.mlp_discriminator(latent, [16]),
    }
    with pytest.raises((ValueError, TypeError)) as error:
        keras_aae.AdversarialAutoencoder(**{**parts, **kwargs})
    assert_clear(error, *words)


@pytest.mark.parametrize(
    "phase, updated",
    [
        ("_reconstruction_phase", {"encoder", "decoder"}),
        ("_discriminator_phase", {"discriminator"}),
        ("_generator_phase", {"encoder"}),
    ],
)
def test_each_phase_updates_only_its_own_variables(
    model, small_images, phase, updated
):
    nets = {
        n: getattr(model, n) for n in ("encoder", "decoder", "discriminator")
    }
    before = {n: snapshot(net) for n, net in nets.items()}
    run_phase(model, phase, tf.constant(small_images[:32]))
    for name, net in nets.items():
        moved = changed(before[name], net)
        if name in updated:
            assert all(moved), f"{phase} left some {name} variables unchanged"
        else:
            assert not any(moved), f"{phase} changed {name}"


@pytest.mark.parametrize(
    "image_shape, latent, hidden, steps, expected",
    [
        # The seed tutorial's networks: a discriminator small next to the
        # encoder keeps five updates a batch.
        ((28, 28, 1), 64, [256], "auto", 5),
        # The paper's: a discriminator as big as the encoder gets one, by
        # default (None: the argument left out).
        ((28, 28, 1), 8, [1000, 1000], None, 1),
        ((28, 28, 1), 8, [1000, 1000], 3, 3),
        ((8, 8, 1), 4, [32], "auto", 5),
    ],
)
def test_auto_discriminator_steps_follow_the_discriminators_size(
    image_shape, latent, hidden, steps, expected
):
    model = keras_aae.AdversarialAutoencoder(
        networks.mlp_encoder(image_shape, latent, hidden),
        networks.mlp_decoder(latent, image_shape, hidden),
        networks.mlp_discriminator(latent, hidden),
        **({} if steps is None else {"discriminator_steps": steps}),
    )
    assert model.discriminator_steps == expected
    # The config holds the count, so a later rule never changes a model.
    config = model.get_config()
    assert config["discriminator_steps"] == expected
    restored = keras_aae.AdversarialAutoencoder.from_config(config)
    assert restored.discriminator_steps == expected


def test_each_phase_steps_only_its_own_optimizer(model, small_images):
    model.fit(small_images, epochs=1, batch_size=64, verbose=0)
    steps = len(small_images) // 64
    assert int(model.reconstruction_optimizer.iterations) == steps
    assert int(model.generator_optimizer.iterations) == steps
    assert model.discriminator_steps == 5
    assert int(model.discriminator_optimizer.iterations) == 5 * steps
    assert model.optimizer is model.reconstruction_optimizer


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
    total = (
        np.array(h["reconstruction_loss"])
        + h["discriminator_loss"]
        + h["generator_loss"]
    )
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
        # The input formats are under test, not XLA (compiled elsewhere).
        m.compile(jit_compile=False)
        history = m.fit(epochs=1, verbose=0, **kwargs)
        assert set(history.history) == LOGGED


def test_evaluate_reports_same_metrics_without_updating(model, small_images):
    before = weights_of(model)
    seed_before = model.seed_generator.state.numpy()
    results = model.evaluate(
        small_images, batch_size=64, verbose=0, return_dict=True
    )
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
    assert (
        len(
            {
                first.tobytes(),
                second.tobytes(),
                model.seed_generator.state.numpy().tobytes(),
            }
        )
        == 3
    )


def test_gradient_penalty_trains(small_images):
    m = make_model(gradient_penalty_weight=1.0)
    m.compile()
    history = m.fit(small_images, epochs=1, batch_size=64, verbose=0)
    assert np.isfinite(history.history["discriminator_loss"][0])


def test_config_round_trip(model):
    restored = assert_config_round_trip(
        model, "keras_aae>AdversarialAutoencoder"
    )
    assert restored.prior.get_config() == model.prior.get_config()


def test_hooks_run_after_every_constructor_has_set_its_state():
    # The semi-supervised model's parts read its categorical prior and
    # noise, which its constructor sets after the base constructor's.
    model = build_variant("semi_supervised", discriminator_noise=0.5)
    categorical, style = model.regularized_parts()
    assert categorical.size == 10 and style.size == 2
    assert categorical.noise_stddev == pytest.approx(
        0.5 * priors.prior_scale(model.categorical_prior)
    )
    assert style.noise_stddev == pytest.approx(
        0.5 * priors.prior_scale(model.prior)
    )

    # Hooks are checked once the most-derived constructor is done: a
    # subclass without its own constructor is checked too.
    class Unlabeled(keras_aae.SupervisedAdversarialAutoencoder):
        pass

    with pytest.raises(ValueError, match="decoder input"):
        Unlabeled(
            networks.mlp_encoder(SHAPE, 2, [8]),
            networks.mlp_decoder(2, SHAPE, [8]),  # needs 2 + 10 inputs
            networks.mlp_discriminator(2, [8]),
        )


def test_generate_is_seeded(model):
    a, b = model.generate(5, seed=1), model.generate(5, seed=1)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 8, 8, 1)
    assert not np.array_equal(a, model.generate(5, seed=2))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (
            dict(prior=keras_aae.GaussianPrior(5)),
            ValueError,
            "prior.latent_dim=5",
        ),
        (
            dict(reconstruction_loss="l1"),
            ValueError,
            "reconstruction_loss='l1'",
        ),
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
