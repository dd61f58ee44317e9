import numpy as np
import pytest

from keras_aae import networks


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
    assert [w.shape for w in enc.weights if len(w.shape) == 2] == [(784, 256), (256, 64)]


def test_paper_depth():
    enc = networks.mlp_encoder((28, 28, 1), 8, [1000, 1000])
    assert [w.shape for w in enc.weights if len(w.shape) == 2] == [
        (784, 1000), (1000, 1000), (1000, 8),
    ]


def test_conv_pair_round_trips_shape():
    enc = networks.conv_encoder((28, 28, 1), 16)
    dec = networks.conv_decoder(16, (28, 28, 1))
    x = np.zeros((3, 28, 28, 1), "float32")
    assert dec(enc(x)).shape == (3, 28, 28, 1)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: networks.mlp_encoder((28, 28, 1), -3), ValueError, "latent_dim=-3"),
        (lambda: networks.mlp_encoder((28, 28, 1), 8, [256, 0]), ValueError, "hidden=0"),
        (lambda: networks.mlp_decoder(8, "28"), TypeError, "output_shape='28'"),
        (lambda: networks.conv_encoder((30, 30, 1), 8), ValueError, "(30, 30, 1)"),
        (lambda: networks.mlp_decoder(8, (4,), output_activation="tanh"), ValueError, "tanh"),
        (lambda: networks.build_networks((4,), 2, [4], "rnn"), ValueError, "rnn"),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
