"""Tests of keras_aae.models.sample_adversary and its phase in the model."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import SHAPE
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant
from helpers import changed
from helpers import make_model
from helpers import snapshot
from keras_aae import networks
from keras_aae.models import SampleAdversary


def _adversary(weight=0.05, shape=SHAPE):
    return SampleAdversary.for_images(shape, hidden=[16], weight=weight)


def test_the_adversary_round_trips_its_config():
    rebuilt = assert_config_round_trip(_adversary(weight=0.3))
    assert rebuilt.weight == 0.3
    assert rebuilt.discriminator.inputs[0].shape[1:] == SHAPE


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"discriminator": "mlp"}, TypeError, ("discriminator",)),
        ({"weight": -1.0}, ValueError, ("weight", "-1.0")),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, words):
    arguments = {
        "discriminator": networks.mlp_image_discriminator(SHAPE, [4]),
        **kwargs,
    }
    with pytest.raises(error) as raised:
        SampleAdversary(**arguments)
    assert_clear(raised, *words)


def test_a_model_refuses_an_adversary_for_other_images():
    with pytest.raises(ValueError) as raised:
        make_model(sample_adversary=_adversary(shape=(28, 28, 1)))
    assert_clear(raised, "sample adversary's input", "(28, 28, 1)")
    with pytest.raises(TypeError) as raised:
        make_model(sample_adversary="yes")
    assert_clear(raised, "sample_adversary")


def test_its_loss_reaches_the_decoder_and_its_phase_trains_the_judge(
    digits,
):
    # Without the reconstruction's own loss, what moves the decoder is the
    # adversary; the encoder, which never sees prior draws, stays put.
    model = make_model(
        reconstruction_weight=0.0, sample_adversary=_adversary(weight=1.0)
    )
    model.compile()
    x = tf.constant(digits[0][:64])
    nets = {
        "encoder": model.encoder,
        "decoder": model.decoder,
        "judge": model.sample_adversary.discriminator,
    }
    before = {name: snapshot(net) for name, net in nets.items()}
    step_draws = model._draw_step_randomness(x, None)
    judged = model._sample_discriminator_phase(x, None, step_draws["decoded"])
    assert set(judged) == {"sample_discriminator_loss"}
    assert all(changed(before["judge"], nets["judge"]))
    assert not any(changed(before["decoder"], model.decoder))
    logged, _, _ = model._reconstruction_phase(
        x, None, step_draws["posterior"], step_draws["decoded"]
    )
    assert set(logged) == {"reconstruction_loss", "sample_generator_loss"}
    assert all(changed(before["decoder"], model.decoder))
    assert not any(changed(before["encoder"], model.encoder))
    # Judging the same images again and again, the judge gets better.
    losses = [
        float(
            model._sample_discriminator_phase(x, None, step_draws["decoded"])[
                "sample_discriminator_loss"
            ]
        )
        for _ in range(20)
    ]
    assert losses[-1] < 0.9 * losses[0], losses


def test_fit_logs_it_and_a_saved_model_resumes_with_its_optimizer(
    digits, tmp_path
):
    model = make_model(sample_adversary=_adversary())
    model.compile(jit_compile=False)
    assert model._PHASES[-1] == "sample_discriminator"
    history = model.fit(digits[0][:128], epochs=1, batch_size=32, verbose=0)
    for name in ("sample_discriminator_loss", "sample_generator_loss"):
        assert np.isfinite(history.history[name][0]), name
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    loaded = keras_aae.load_model(path)
    assert loaded.sample_adversary.weight == model.sample_adversary.weight
    x = digits[0][:16]
    np.testing.assert_allclose(
        loaded.sample_adversary(x), model.sample_adversary(x), atol=1e-6
    )
    assert int(loaded.sample_discriminator_optimizer.iterations) == 4
    # A model without one keeps the paper's phases and logs.
    plain = make_model(sample_adversary=None)
    assert plain.sample_adversary is None
    assert "sample_discriminator" not in plain._PHASES
    assert "sample_generator_loss" not in [m.name for m in plain.metrics]


def test_a_supervised_model_decodes_prior_draws_with_the_batchs_labels(
    digits,
):
    model = build_variant(
        "supervised", latent_dim=2, sample_adversary=_adversary()
    )
    model.compile(jit_compile=False)
    x, y = digits[0][:64], digits[1][:64]
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["sample_generator_loss"][0])


def test_the_default_builds_one_for_the_decoders_images_and_saves_it():
    model = keras_aae.AdversarialAutoencoder(
        networks.mlp_encoder(SHAPE, 4, [16]),
        networks.mlp_decoder(4, SHAPE, [16]),
        networks.mlp_discriminator(4, [16]),
    )
    adversary = model.sample_adversary
    assert isinstance(adversary, SampleAdversary)
    assert adversary.weight == keras_aae.models.sample_adversary.DEFAULT_WEIGHT
    assert tuple(adversary.discriminator.inputs[0].shape[1:]) == SHAPE
    config = model.get_config()["sample_adversary"]
    rebuilt = keras_aae.AdversarialAutoencoder.from_config(model.get_config())
    assert rebuilt.get_config()["sample_adversary"] == config


@pytest.mark.parametrize(
    "variant", ["supervised", "semi_supervised", "label_informed"]
)
def test_the_papers_variants_default_to_none(variant):
    assert build_variant(variant).sample_adversary is None
