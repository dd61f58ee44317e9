"""Tests of keras_aae.models.supervised"""

import numpy as np
import pytest

from helpers import SHAPE
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant


def test_supervised_decoder_reads_the_label(digits):
    model = build_variant("supervised", latent_dim=3)
    model.compile()
    model.fit(
        digits[0][:128], digits[1][:128], epochs=1, batch_size=32, verbose=0
    )
    x = digits[0][:5]
    as_zero = model.reconstruct(x, np.zeros(5, "int64"))
    as_one = model.reconstruct(x, np.ones(5, "int64"))
    assert np.abs(as_zero - as_one).max() > 1e-3
    grid = model.transfer_style(x, labels=[0, 1, 2])
    assert grid.shape == (5, 3) + SHAPE
    np.testing.assert_allclose(grid[:, 1], as_one, atol=1e-5)
    with pytest.raises(ValueError, match="needs the label of every example"):
        model.fit(digits[0][:32], epochs=1, verbose=0)


def test_an_independent_style_is_judged_beside_its_label(digits):
    plain = build_variant("supervised", latent_dim=3)
    model = build_variant("supervised", latent_dim=3, independent_style=True)
    assert plain.discriminator.inputs[0].shape[-1] == 3
    assert model.discriminator.inputs[0].shape[-1] == 3 + 10
    part = model.regularized_parts()[0]
    z = np.zeros((2, 3), "float32")
    judged = np.asarray(model._discriminator_input(part, z, np.array([4, 7])))
    np.testing.assert_array_equal(judged[:, :3], z)
    np.testing.assert_array_equal(judged[:, 3:].argmax(1), [4, 7])
    # Real and fake alike: prior draws sit beside the batch's labels.
    model.compile()
    history = model.fit(
        digits[0][:128], digits[1][:128], epochs=1, batch_size=32, verbose=0
    )
    assert np.isfinite(history.history["discriminator_loss"][0])


def test_independent_style_round_trips_and_old_configs_load_without_it():
    model = build_variant("supervised", latent_dim=3, independent_style=True)
    assert_config_round_trip(
        model, "keras_aae>SupervisedAdversarialAutoencoder"
    )
    config = model.get_config()
    assert config["independent_style"] is True
    plain = build_variant("supervised", latent_dim=3).get_config()
    del plain["independent_style"]
    assert type(model).from_config(plain).independent_style is False


def test_independent_style_refuses_a_non_bool_and_a_small_discriminator():
    with pytest.raises(TypeError) as error:
        build_variant("supervised", latent_dim=3, independent_style="yes")
    assert_clear(error, "independent_style", "'yes'")
    plain = build_variant("supervised", latent_dim=3)
    with pytest.raises(ValueError) as error:
        type(plain)(
            plain.encoder,
            plain.decoder,
            plain.discriminator,
            independent_style=True,
        )
    assert_clear(error, "discriminator", "13")
