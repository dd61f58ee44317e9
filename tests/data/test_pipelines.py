"""Tests of keras_aae.data.pipelines"""

import numpy as np
import pytest

from keras_aae import data


def test_pipeline_is_shuffled_batched_and_seeded():
    a = [b.numpy() for b in data.load("digits", batch_size=100, seed=1)]
    b = [b.numpy() for b in data.load("digits", batch_size=100, seed=1)]
    ordered = [
        b.numpy() for b in data.load("digits", batch_size=100, shuffle=False)
    ]
    assert [x.shape[0] for x in a] == [100] * 15
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], ordered[0])
    x, y = next(iter(data.load("digits", batch_size=8, with_labels=True)))
    assert x.shape == (8, 8, 8, 1) and y.shape == (8,)


def test_semi_supervised_dataset_adds_a_labeled_batch_to_every_batch():
    images = np.zeros((100, 2, 2, 1), "float32")
    labels = np.full(100, -1)
    labels[:10] = np.arange(10)
    ds = data.semi_supervised_dataset(
        images, labels, batch_size=16, labeled_batch_size=4, seed=0
    )
    batches = list(ds)
    assert len(batches) == 7
    for x, y in batches:
        y = y.numpy()
        assert x.shape[0] == len(y)
        assert np.all(y[:-4] == -1) and np.all(y[-4:] >= 0)
    with pytest.raises(ValueError, match="no labeled example"):
        data.semi_supervised_dataset(images, np.full(100, -1))
