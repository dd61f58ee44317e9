"""Tests of keras_aae.data.pipelines"""

import numpy as np
import pytest

from helpers import make_model
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


def _indices(ds):
    return [b.numpy().ravel().tolist() for b in ds]


def test_epoch_order_gives_each_epoch_its_own_seeded_order():
    images = np.arange(10, dtype="float32").reshape(10, 1, 1, 1)
    order = data.EpochOrder(seed=3)
    ds = data.as_dataset(images, batch_size=4, order=order)
    assert ds.cardinality().numpy() == 3
    first = _indices(ds)
    assert _indices(ds) == first  # same epoch, same order
    assert sorted(sum(first, [])) == list(range(10))
    order.on_epoch_begin(1)
    second = _indices(ds)
    assert second != first and sorted(sum(second, [])) == list(range(10))
    # The order depends on (seed, epoch) only: a fresh callback agrees.
    again = data.EpochOrder(seed=3)
    again.on_epoch_begin(1)
    assert _indices(data.as_dataset(images, batch_size=4, order=again)) == (
        second
    )


def test_semi_supervised_batches_follow_the_epoch_order():
    images = np.arange(100, dtype="float32").reshape(100, 1, 1, 1)
    labels = np.full(100, -1)
    labels[:10] = np.arange(10)
    order = data.EpochOrder(seed=0)
    ds = data.semi_supervised_dataset(
        images, labels, batch_size=16, labeled_batch_size=4, order=order
    )
    first = [(x.numpy().ravel(), y.numpy()) for x, y in ds]
    assert len(first) == 7
    for x, y in first:
        assert np.all(y[-4:] == x[-4:])  # the labeled images' own labels
        assert np.all(y[:-4] == -1)
    order.on_epoch_begin(1)
    second = [x.numpy().ravel() for x, _ in ds]
    assert not np.array_equal(
        np.concatenate(second), np.concatenate([x for x, _ in first])
    )


def test_epochs_end_with_their_data_whatever_steps_per_execution(digits):
    # 7 batches per epoch: 4 steps per call does not divide them. Each
    # epoch must still train on exactly its own 7 batches, as one step per
    # call does.
    images = digits[0][:200]
    weights = []
    for steps_per_execution in (1, 4):
        model = make_model()
        # Without XLA: epoch ends, not compilation, are under test.
        model.compile(
            steps_per_execution=steps_per_execution, jit_compile=False
        )
        order = data.EpochOrder(seed=0)
        ds = data.as_dataset(images, batch_size=32, order=order)
        model.fit(ds, epochs=3, verbose=0, callbacks=[order])
        assert int(model.reconstruction_optimizer.iterations) == 3 * 7
        weights.append(model.get_weights())
    for a, b in zip(*weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_pipelines_do_not_autotune():
    # fit re-iterates a one-epoch dataset each epoch; tearing down an
    # autotuned iterator stalled epoch starts by seconds.
    images = np.zeros((10, 2, 2, 1), "float32")
    labels = np.array([0, 1] + [-1] * 8)
    for ds in (
        data.as_dataset(images, batch_size=4),
        data.as_dataset(images, batch_size=4, order=data.EpochOrder()),
        data.semi_supervised_dataset(images, labels, batch_size=4),
    ):
        assert ds.options().autotune.enabled is False
