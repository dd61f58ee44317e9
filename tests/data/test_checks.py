"""Tests of keras_aae.data.checks"""

import numpy as np
import pytest
import tensorflow as tf

from helpers import assert_clear
from helpers import make_model
from keras_aae import variants


def _images(n=8):
    return np.random.default_rng(0).uniform(size=(n, 8, 8, 1)).astype("float32")


@pytest.fixture(scope="module")
def model():
    m = make_model(latent_dim=2, hidden=(16,))
    m.compile()
    return m


@pytest.mark.parametrize(
    "bad, error_type, words",
    [
        (
            lambda x: np.where(
                np.arange(x.size).reshape(x.shape) == 5, np.nan, x
            ),
            ValueError,
            ["finite", "1 NaN"],
        ),
        (
            lambda x: np.where(
                np.arange(x.size).reshape(x.shape) == 70, np.inf, x
            ),
            ValueError,
            ["finite", "example 1"],
        ),
        (lambda x: x * 255.0, ValueError, ["[0, 1]", "sigmoid", "255"]),
        (lambda x: x - 0.5, ValueError, ["[0, 1]", "-0.49"]),
        (lambda x: x[:0], ValueError, ["empty"]),
        (lambda x: x[..., 0], ValueError, ["(8, 8, 1)", "(8, 8)"]),
        (lambda x: x.reshape(len(x), -1), ValueError, ["(8, 8, 1)", "(64,)"]),
        (lambda x: x.astype(str), TypeError, ["dtype"]),
        (
            lambda x: np.array([[["a"]]] * len(x), dtype=object),
            TypeError,
            ["dtype object"],
        ),
    ],
)
def test_fit_refuses_bad_arrays_before_training(model, bad, error_type, words):
    before = model.reconstruction_optimizer.iterations.numpy()
    with pytest.raises(error_type) as error:
        model.fit(bad(_images()), epochs=1, verbose=0)
    assert_clear(error, *words)
    assert model.reconstruction_optimizer.iterations.numpy() == before


@pytest.mark.parametrize(
    "dataset, error_type, words",
    [
        (
            lambda: (
                tf.data.Dataset.from_tensor_slices(_images()).take(0).batch(4)
            ),
            ValueError,
            ["empty"],
        ),
        (
            lambda: (
                tf.data.Dataset.from_tensor_slices(_images())
                .filter(lambda x: False)
                .batch(4)
            ),
            ValueError,
            ["empty"],
        ),
        (
            lambda: tf.data.Dataset.from_tensor_slices(
                _images() * np.nan
            ).batch(4),
            ValueError,
            ["finite"],
        ),
        (
            lambda: tf.data.Dataset.from_tensor_slices(_images()[..., 0]).batch(
                4
            ),
            ValueError,
            ["(8, 8, 1)"],
        ),
        (
            lambda: tf.data.Dataset.from_tensor_slices(["a", "b"]).batch(2),
            TypeError,
            ["string"],
        ),
    ],
)
def test_fit_refuses_bad_datasets_before_training(
    model, dataset, error_type, words
):
    with pytest.raises(error_type) as error:
        model.fit(dataset(), epochs=1, verbose=0)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize(
    "variant, labels, words",
    [
        ("supervised", [0, 1, 2, 10, 0, 1, 2, 3], ["[0, 9]", "label 10"]),
        ("supervised", [0, 1, 2, -1, 0, 1, 2, 3], ["[0, 9]", "label -1"]),
        (
            "semi_supervised",
            [0, 1, 2, -2, 0, 1, 2, 3],
            ["or -1 for unlabeled", "label -2"],
        ),
        ("label_informed", [0, 1, 2, 3, 0, 1, 2, 12], ["label 12"]),
        ("supervised", [0.5] * 8, ["integer"]),
        ("supervised", [0, 1, 2], ["one label per example (8)"]),
    ],
)
def test_labels_out_of_range_are_refused(variant, labels, words):
    m = variants.build(variant, (8, 8, 1), 2, hidden=[16])
    m.compile()
    with pytest.raises(ValueError) as error:
        m.fit(_images(), np.array(labels), epochs=1, verbose=0)
    assert_clear(error, *words)
    # The same check guards a tf.data pipeline (on its first batch).
    if len(labels) == 8:
        ds = tf.data.Dataset.from_tensor_slices(
            (_images(), np.array(labels))
        ).batch(8)
        with pytest.raises(ValueError):
            m.fit(ds, epochs=1, verbose=0)
