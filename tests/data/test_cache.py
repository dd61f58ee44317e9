"""Tests of keras_aae.data.cache"""

import os

import numpy as np
import pytest

from keras_aae import data
from keras_aae.data import cache


@pytest.fixture
def prepared(tmp_path):
    """A folder standing in for a prepared TFDS version folder."""
    folder = tmp_path / "mnist" / "3.0.1"
    folder.mkdir(parents=True)
    (folder / "mnist-train.tfrecord").write_bytes(b"x" * 10)
    return str(folder)


def test_entry_round_trips_exactly(tmp_path, prepared):
    store = cache.ArrayCache(tmp_path / "cache")
    images = np.arange(24, dtype="uint8").reshape(2, 3, 4, 1)
    labels = np.array([3, 7])
    assert store.load("mnist", "train", "/tfds") is None
    assert store.store("mnist", "train", "/tfds", prepared, images, labels)
    cached_images, cached_labels = store.load("mnist", "train", "/tfds")
    np.testing.assert_array_equal(cached_images, images)
    np.testing.assert_array_equal(cached_labels, labels)
    assert cached_images.dtype == np.uint8
    # Keyed by split and by the TFDS folder asked for.
    assert store.load("mnist", "test", "/tfds") is None
    assert store.load("mnist", "train", "/elsewhere") is None


def test_changed_source_files_invalidate_the_entry(tmp_path, prepared):
    store = cache.ArrayCache(tmp_path / "cache")
    store.store("mnist", "train", "/tfds", prepared, np.zeros(2), np.zeros(2))
    with open(os.path.join(prepared, "mnist-train.tfrecord"), "ab") as f:
        f.write(b"more")  # the dataset was prepared again
    assert store.load("mnist", "train", "/tfds") is None


def test_unreadable_entry_is_ignored(tmp_path, prepared):
    store = cache.ArrayCache(tmp_path / "cache")
    store.store("mnist", "train", "/tfds", prepared, np.zeros(2), np.zeros(2))
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(b"half a file")
    assert store.load("mnist", "train", "/tfds") is None


def test_empty_variable_turns_the_cache_off(monkeypatch, tmp_path, prepared):
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, "")
    store = cache.ArrayCache.default()
    assert store.directory is None
    assert not store.store("m", "train", "/t", prepared, np.zeros(1), [0])
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    assert cache.ArrayCache.default().directory == str(tmp_path / "arrays")


def test_mnist_from_the_cache_equals_mnist_from_tfds(
    mnist_dir, monkeypatch, tmp_path
):
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, "")
    decoded = data.load_arrays("mnist", "test", data_dir=mnist_dir)
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    first = data.load_arrays("mnist", "test", data_dir=mnist_dir)
    assert len(os.listdir(tmp_path / "arrays")) == 1  # the first load's
    store = cache.ArrayCache(tmp_path / "arrays")
    assert store.load("mnist", "test", mnist_dir) is not None
    second = data.load_arrays("mnist", "test", data_dir=mnist_dir)
    for loaded in (first, second):
        np.testing.assert_array_equal(loaded[0], decoded[0])
        np.testing.assert_array_equal(loaded[1], decoded[1])
        assert loaded[0].dtype == np.float32 and loaded[1].dtype == np.int64
