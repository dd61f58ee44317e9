"""Tests of keras_aae.data.labels"""

import numpy as np
import pytest

from helpers import blobs
from keras_aae import data
from keras_aae import evaluation


def test_balanced_subset_takes_equal_counts_per_class():
    _, labels = blobs(n_per_class=30)
    index = evaluation.balanced_subset(labels, 20, seed=0)
    assert np.bincount(labels[index]).tolist() == [5, 5, 5, 5]
    assert np.array_equal(index, evaluation.balanced_subset(labels, 20, seed=0))
    with pytest.raises(ValueError, match="multiple"):
        evaluation.balanced_subset(labels, 10)


def test_hide_labels_keeps_a_balanced_seeded_subset():
    labels = np.repeat(np.arange(10), 30)
    kept = data.hide_labels(labels, 50, seed=3)
    shown = kept[kept >= 0]
    assert len(shown) == 50
    np.testing.assert_array_equal(np.bincount(shown), np.full(10, 5))
    np.testing.assert_array_equal(kept, data.hide_labels(labels, 50, seed=3))
    assert not np.array_equal(kept, data.hide_labels(labels, 50, seed=4))
    with pytest.raises(ValueError, match="non-negative"):
        data.hide_labels(np.array([0, -2]), None)
