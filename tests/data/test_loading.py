"""Tests of keras_aae.data.loading"""

import numpy as np
import pytest

from keras_aae import data


def test_digits_arrays_and_split():
    train, train_labels = data.load_arrays("digits", "train")
    test, test_labels = data.load_arrays("digits", "test")
    assert train.shape == (1500, 8, 8, 1) and test.shape == (297, 8, 8, 1)
    assert (
        train.dtype == np.float32 and 0.0 == train.min() and train.max() == 1.0
    )
    assert set(np.unique(train_labels)) == set(range(10))
    # The split is fixed and disjoint.
    again, _ = data.load_arrays("digits", "train")
    np.testing.assert_array_equal(train, again)


def test_mnist_from_tfds(mnist_dir):
    images, labels = data.load_arrays("mnist", "test", data_dir=mnist_dir)
    assert images.shape == (10000, 28, 28, 1)
    assert (
        images.dtype == np.float32
        and images.max() == 1.0
        and images.min() == 0.0
    )
    # Label counts of the MNIST test split.
    np.testing.assert_array_equal(
        np.bincount(labels),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    )


def test_mnist_honours_tfds_data_dir(mnist_dir, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", mnist_dir)
    ds = data.load("mnist", split="test", batch_size=32)
    assert next(iter(ds)).shape == (32, 28, 28, 1)


def test_missing_data_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)
    with pytest.raises(data.DatasetNotFoundError) as info:
        data.load_arrays("mnist", data_dir=str(tmp_path), download=False)
    message = str(info.value)
    assert (
        "'mnist'" in message
        and str(tmp_path) in message
        and "TFDS_DATA_DIR" in message
    )


def test_unknown_dataset():
    with pytest.raises(ValueError, match="dataset='no_such_set'"):
        data.load_arrays("no_such_set")
    with pytest.raises(ValueError, match="split='valid'"):
        data.load_arrays("digits", "valid")
    with pytest.raises(ValueError, match="batch_size=0"):
        data.as_dataset(np.zeros((4, 2)), batch_size=0)


def test_fashion_mnist_by_name(mnist_dir):
    import os

    if not os.path.isdir(os.path.join(mnist_dir, "fashion_mnist")):
        pytest.skip(f"fashion_mnist is not prepared in {mnist_dir}")
    images, labels = data.load_arrays(
        "fashion_mnist", "test", data_dir=mnist_dir
    )
    assert images.shape == (10000, 28, 28, 1) and images.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(labels), [1000] * 10)
