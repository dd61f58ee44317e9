"""Tests of keras_aae.networks"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import FAST
from helpers import assert_clear
from keras_aae import networks
from keras_aae import priors

# Values that are not a positive int, of every kind a user might pass.
_NOT_POSITIVE_INT = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


@FAST
@given(latent_dim=_NOT_POSITIVE_INT)
def test_networks_refuse_bad_sizes(latent_dim):
    for build in (
        lambda: networks.mlp_encoder((8, 8, 1), latent_dim, [16]),
        lambda: networks.mlp_decoder(latent_dim, (8, 8, 1), [16]),
        lambda: networks.mlp_discriminator(latent_dim, [16]),
        lambda: priors.GaussianPrior(latent_dim),
    ):
        with pytest.raises((ValueError, TypeError)) as error:
            build()
        assert_clear(error, "latent_dim")


@FAST
@given(hidden=st.lists(_NOT_POSITIVE_INT, min_size=1, max_size=3))
def test_networks_refuse_bad_hidden_sizes(hidden):
    with pytest.raises((ValueError, TypeError)) as error:
        networks.mlp_encoder((8, 8, 1), 2, hidden)
    assert_clear(error, "hidden")


def test_mlp_shapes_and_names():
    enc = networks.mlp_encoder((28, 28, 1), 64, [256])
    dec = networks.mlp_decoder(64, (28, 28, 1), [256])
    disc = networks.mlp_discriminator(64, [256])
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    z = enc(x)
    assert z.shape == (2, 64)
    out = dec(z).numpy()
    assert out.shape == (2, 28, 28, 1) and out.min() >= 0 and out.max() <= 1
    assert disc(z).shape == (2, 1)
    assert enc.inputs[0].name == "images" and dec.inputs[0].name == "codes"
    # The seed tutorial's sizes: 784-256-64 and back.
    assert [w.shape for w in enc.weights if len(w.shape) == 2] == [
        (784, 256),
        (256, 64),
    ]


def test_paper_depth():
    enc = networks.mlp_encoder((28, 28, 1), 8, [1000, 1000])
    assert [w.shape for w in enc.weights if len(w.shape) == 2] == [
        (784, 1000),
        (1000, 1000),
        (1000, 8),
    ]


def test_conv_pair_round_trips_shape():
    enc = networks.conv_encoder((28, 28, 1), 16)
    dec = networks.conv_decoder(16, (28, 28, 1))
    x = np.zeros((3, 28, 28, 1), "float32")
    assert dec(enc(x)).shape == (3, 28, 28, 1)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: networks.mlp_encoder((28, 28, 1), -3),
            ValueError,
            "latent_dim=-3",
        ),
        (
            lambda: networks.mlp_encoder((28, 28, 1), 8, [256, 0]),
            ValueError,
            "hidden=0",
        ),
        (lambda: networks.mlp_decoder(8, "28"), TypeError, "output_shape='28'"),
        (
            lambda: networks.conv_encoder((30, 30, 1), 8),
            ValueError,
            "(30, 30, 1)",
        ),
        (
            lambda: networks.mlp_decoder(8, (4,), output_activation="tanh"),
            ValueError,
            "tanh",
        ),
        (
            lambda: networks.build_networks((4,), 2, [4], "rnn"),
            ValueError,
            "rnn",
        ),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_cluster_heads_penalty_matches_its_definition():
    layer = networks.ClusterHeads(3, 2, min_distance=2.0)
    layer.heads.assign(np.array([[0, 0], [1, 0], [5, 0]], "float32"))
    # Pairs at distance 1, 5, 4: only the first is closer than 2.
    assert float(layer.penalty()) == pytest.approx(1.0, abs=1e-3)
    out = layer(np.array([[0, 1, 0, 0.5, -0.5]], "float32"))
    np.testing.assert_allclose(out, [[1.5, -0.5]])
    clone = networks.ClusterHeads.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
