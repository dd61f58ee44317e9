"""Tests of keras_aae.variants"""

import json

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import FAST
from helpers import SHAPE
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant
from helpers import weights_of
from keras_aae import data
from keras_aae import priors
from keras_aae import variants


@FAST
@given(name=st.text(min_size=1, max_size=12))
def test_unknown_names_are_refused(name):
    key = name.lower().replace("-", "_")
    if key not in priors.names():
        with pytest.raises(ValueError) as error:
            priors.get(name, latent_dim=2)
        assert_clear(error, repr(name))
    if key not in variants.VARIANTS:
        with pytest.raises(ValueError) as error:
            variants.build(name, (8, 8, 1), 2, hidden=[16])
        assert_clear(error)
    if key != data.DIGITS:
        with pytest.raises((ValueError, data.DatasetNotFoundError)) as error:
            data.load_arrays(name, download=False)
        assert name in str(error.value)


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_drop_remainder_gives_only_full_batches(variant):
    # 70 images in batches of 32: two full batches, 6 images left over.
    x = np.arange(70, dtype="float32").reshape(70, 1, 1, 1)
    y = np.arange(70) % 10
    ds = variants.training_dataset(
        variant,
        x,
        y,
        num_labels=20,
        batch_size=32,
        order=data.EpochOrder(seed=3),
        drop_remainder=True,
        target_images=x,  # read by domain adaptation only
    )
    batches = [np.asarray(b[0] if isinstance(b, tuple) else b) for b in ds]
    # Semi-supervised batches end with a labeled mini-batch of 32, domain
    # adaptation batches with 32 target images.
    batches = [b[:32] if len(b) == 64 else b for b in batches]
    assert [len(b) for b in batches] == [32, 32]
    assert len(np.unique(np.concatenate(batches))) == 64


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_variant_config_round_trips_through_json(variant):
    model = build_variant(variant)
    name = type(model).__name__
    assert_config_round_trip(model, f"keras_aae>{name}")


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_variant_trains_and_round_trips_through_keras_file(
    variant, digits, tmp_path
):
    x, y = digits[0][:256], digits[1][:256]
    model = build_variant(variant)
    # Without XLA: every variant also trains XLA-compiled through the CLI
    # (tests/cli/test_evaluate.py); here the saving is under test.
    model.compile(steps_per_execution=2, jit_compile=False)
    ds = variants.training_dataset(
        variant,
        x,
        y,
        num_labels=50,
        batch_size=32,
        seed=0,
        target_images=1.0 - x,  # read by domain adaptation only
    )
    history = model.fit(ds, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    if isinstance(model, variants.SemiSupervisedAdversarialAutoencoder):
        assert history.history["classification_loss"][-1] > 0

    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    # Compared as JSON: a reloaded config holds lists where tuples were.
    assert json.dumps(restored.get_config(), sort_keys=True) == json.dumps(
        model.get_config(), sort_keys=True
    )
    for a, b in zip(weights_of(model), weights_of(restored), strict=True):
        np.testing.assert_array_equal(a, b)
    labels = y[:16]
    if variant == "domain_adaptation":
        labels = {"label": labels, "domain": np.arange(16) % 2}
    np.testing.assert_allclose(
        model.reconstruct(x[:16], labels),
        restored.reconstruct(x[:16], labels),
        atol=1e-6,
    )
    # Training continues from the restored optimizers.
    restored.fit(ds.take(2), epochs=1, verbose=0)


def test_unknown_variant_is_a_clear_error():
    with pytest.raises(ValueError, match="variant='bogus'"):
        variants.build("bogus", SHAPE, 2)


@pytest.mark.parametrize(
    "variant, expected",
    [
        # `"auto"`, measured on the unsupervised model: one step for a
        # discriminator as big as the encoder.
        ("unsupervised", 1),
        # Measured with five (benchmarks/variants.py): five at any size.
        ("supervised", 5),
        ("semi_supervised", 5),
        ("clustering", 5),
        ("dimensionality_reduction", 5),
        # Pinned by their own measurements.
        ("label_informed", 2),
        ("domain_adaptation", 1),
    ],
)
def test_default_discriminator_steps_of_each_variant(variant, expected):
    model = variants.build(
        variant, (28, 28, 1), 8, hidden=[1000, 1000], num_classes=10
    )
    assert model.discriminator_steps == expected


def test_the_unsupervised_variant_builds_convolutional_networks():
    model = variants.build(
        "unsupervised", (8, 8, 1), 2, hidden=[16], architecture="conv"
    )
    layers = [type(layer).__name__ for layer in model.encoder.layers]
    assert "Conv2D" in layers
    assert model.decoder.outputs[0].shape[1:] == (8, 8, 1)
    for bad, expected in (
        ({"architecture": "rnn"}, "architecture='rnn'"),
        (
            {"architecture": "conv", "variant": "clustering"},
            "variant='clustering'",
        ),
    ):
        arguments = {"variant": "unsupervised", **bad}
        with pytest.raises(ValueError, match=expected):
            variants.build(
                arguments.pop("variant"), (8, 8, 1), 2, hidden=[16], **arguments
            )
