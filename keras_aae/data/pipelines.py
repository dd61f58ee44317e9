"""Arrays as shuffled, batched `tf.data` pipelines, resumable by epoch.

Example:

>>> from keras_aae import data
>>> train = data.load("digits", split="train", batch_size=64, seed=0)
>>> images = next(iter(train))
>>> images.shape
TensorShape([64, 8, 8, 1])
"""

import keras
import numpy as np
import tensorflow as tf

from keras_aae._validation import check_positive_int
from keras_aae.data import domains
from keras_aae.data.loading import load_arrays


def as_dataset(
    images,
    labels=None,
    batch_size=128,
    shuffle=True,
    seed=None,
    drop_remainder=False,
    epochs=None,
    initial_epoch=0,
    order=None,
):
    """Wraps arrays in a shuffled, batched, prefetched `tf.data.Dataset`.

    By default the dataset is one epoch, reshuffled each time it is
    iterated. With `order` (an `EpochOrder`, also passed to `fit` as a
    callback), it is one epoch whose order depends on `(seed, e)` only,
    where `e` is the epoch `fit` is running: a run resumed at epoch `e`
    sees exactly the batches an uninterrupted run would, with any
    `steps_per_execution` (this is what `keras-aae train` does). With
    `epochs` (the 0.1 interface), it is instead every epoch from
    `initial_epoch` to `epochs` back to back, which needs
    `steps_per_epoch=steps_per_epoch(...)` in `fit` and a
    `steps_per_execution` dividing it.

    Args:
        images: Array of images.
        labels: Optional array of labels; if given, elements are `(x, y)`.
        batch_size: Positive int.
        shuffle: Whether to shuffle every epoch.
        seed: Optional int seed of the shuffle (0 when `epochs` is given).
        drop_remainder: Whether to drop the last, smaller batch.
        epochs: Optional positive int, the last epoch (exclusive) to include.
        initial_epoch: Non-negative int, the first epoch (with `epochs`).
        order: Optional `EpochOrder`; its seed replaces `seed`.

    Returns:
        A `tf.data.Dataset`.

    Raises:
        ValueError: If `images` is empty or an epoch count is out of range.

    Example:

    >>> ds = as_dataset(np.zeros((10, 8, 8, 1)), batch_size=4, seed=0,
    ...                 epochs=3, initial_epoch=1)
    >>> len(list(ds))  # two epochs of 3 batches
    6
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    if len(images) == 0:
        raise ValueError("`images` is empty. Received: 0 examples")
    elements = images if labels is None else (images, labels)
    if order is not None:
        batches = order.batches(len(images), batch_size, drop_remainder)
        return _prefetched(batches.map(_gatherer(elements)))
    if epochs is not None and shuffle:
        order = _epoch_orders(
            len(images), batch_size, seed, epochs, initial_epoch, drop_remainder
        )
        return _prefetched(order.map(_gatherer(elements)))
    # Indices are shuffled, not images: a shuffle buffer of 8-byte indices
    # instead of a copy of the whole array every epoch.
    indices = tf.data.Dataset.range(len(images))
    if shuffle:
        indices = indices.shuffle(
            len(images), seed=seed, reshuffle_each_iteration=True
        )
    batches = indices.batch(batch_size, drop_remainder=drop_remainder)
    return _prefetched(batches.map(_gatherer(elements)))


def _prefetched(ds):
    """`ds` with two batches prefetched, and tf.data's autotuning off.

    `fit` iterates a one-epoch dataset afresh every epoch, and the old
    iterator's teardown waits for its autotuning thread: with autotuning on,
    about one epoch in three started 2-5 s late (MNIST, 2-core CPU; a
    third of the training time). Gathering a batch from memory needs no
    tuning.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(2).with_options(options)


def steps_per_epoch(num_examples, batch_size, drop_remainder=False):
    """The number of batches in one epoch of `num_examples`."""
    num_examples = check_positive_int(num_examples, "num_examples")
    batch_size = check_positive_int(batch_size, "batch_size")
    if drop_remainder:
        return max(num_examples // batch_size, 1)
    return -(-num_examples // batch_size)


def _epoch_key(seed, epoch, stream=0):
    # A stateless seed: the same (seed, epoch) gives the same order in any
    # process, which is what makes a resumed run see the same batches.
    return tf.stack(
        [tf.cast(seed or 0, tf.int64) + stream * 7919, tf.cast(epoch, tf.int64)]
    )


def _permutation(shape, key):
    """Random permutations of `range(shape[-1])`, one per leading index."""
    # Integer keys: ties (frequent among float32 uniforms) never decide.
    keys = tf.random.stateless_uniform(
        shape, seed=key, minval=None, maxval=None, dtype=tf.int64
    )
    return tf.argsort(keys, axis=-1, stable=True)


class EpochOrder(keras.callbacks.Callback):
    """Shuffles by epoch: the order of epoch `e` depends on `(seed, e)` only.

    A dataset made with `as_dataset(..., order=order)` (or
    `semi_supervised_dataset`) is one epoch; each time `fit` iterates it,
    it reads the epoch this callback was told at `on_epoch_begin`. A
    resumed `fit` (`BackupAndRestore`) starts at the epoch it stopped in,
    so it sees the batches an uninterrupted run would have seen, and every
    epoch ends where the data does, whatever `steps_per_execution` is.

    Args:
        seed: Int seed of the orders.

    Example:

    >>> order = EpochOrder(seed=0)
    >>> ds = as_dataset(np.zeros((10, 2, 2, 1)), batch_size=4, order=order)
    >>> # model.fit(ds, epochs=5, callbacks=[order, BackupAndRestore(...)])
    >>> [b.shape[0] for b in ds]
    [4, 4, 2]
    """

    def __init__(self, seed=0):
        super().__init__()
        self.seed = seed
        # Read by the dataset's graph each time it is iterated.
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch.assign(epoch)

    def batches(self, num_examples, batch_size, drop_remainder=False, stream=0):
        """One epoch of index batches, permuted by `(seed, epoch, stream)`."""
        steps = steps_per_epoch(num_examples, batch_size, drop_remainder)
        return self._each_epoch(
            lambda epoch: _shuffled_batches(
                num_examples,
                batch_size,
                _epoch_key(self.seed, epoch, stream),
                drop_remainder,
            ),
            steps,
        )

    def passes(self, num_examples, num_batches, batch_size, stream):
        """`num_batches` index batches from reshuffled passes over
        `num_examples`, permuted by `(seed, epoch, stream)`."""
        return self._each_epoch(
            lambda epoch: _pass_batches(
                num_examples,
                num_batches,
                batch_size,
                _epoch_key(self.seed, epoch, stream),
            ),
            num_batches,
        )

    def _each_epoch(self, one_epoch, num_batches):
        """`one_epoch(e)` for the epoch `e` current when it is iterated."""
        epoch = tf.data.Dataset.from_tensors(0).map(
            lambda _: self.epoch.read_value()
        )
        return epoch.flat_map(one_epoch).apply(
            tf.data.experimental.assert_cardinality(num_batches)
        )


def _shuffled_batches(num_examples, batch_size, key, drop_remainder=False):
    """Batches of `range(num_examples)` in the order that `key` fixes."""
    order = _permutation([num_examples], key)
    return tf.data.Dataset.from_tensor_slices(order).batch(
        batch_size, drop_remainder=drop_remainder
    )


def _pass_batches(num_examples, num_batches, batch_size, key):
    """`num_batches` batches from reshuffled passes over `range(num_examples)`."""
    passes = -(-num_batches * batch_size // num_examples)
    order = tf.reshape(_permutation([passes, num_examples], key), [-1])
    return tf.data.Dataset.from_tensor_slices(
        order[: num_batches * batch_size]
    ).batch(batch_size)


def _check_epochs(epochs, initial_epoch):
    epochs = check_positive_int(epochs, "epochs")
    if (
        isinstance(initial_epoch, bool)
        or not isinstance(initial_epoch, int)
        or not 0 <= initial_epoch <= epochs
    ):
        raise ValueError(
            f"`initial_epoch` must be an int in [0, epochs={epochs}]. "
            f"Received: initial_epoch={initial_epoch!r}"
        )
    return epochs, initial_epoch


def _epoch_orders(
    num_examples, batch_size, seed, epochs, initial_epoch, drop_remainder
):
    """Batches of example indices for epochs `initial_epoch..epochs-1`."""
    epochs, initial_epoch = _check_epochs(epochs, initial_epoch)

    def one_epoch(epoch):
        key = _epoch_key(seed, epoch)
        return _shuffled_batches(num_examples, batch_size, key, drop_remainder)

    return tf.data.Dataset.range(initial_epoch, epochs).flat_map(one_epoch)


def _gatherer(elements):
    """Maps a batch of indices to the batch of `elements` they pick."""
    tensors = tf.nest.map_structure(tf.convert_to_tensor, elements)
    return lambda indices: tf.nest.map_structure(
        lambda t: tf.gather(t, indices), tensors
    )


def semi_supervised_dataset(
    images,
    labels,
    batch_size=100,
    labeled_batch_size=None,
    seed=None,
    epochs=None,
    initial_epoch=0,
    order=None,
    drop_remainder=False,
):
    """Batches with unlabeled examples and a fixed share of labeled ones.

    With 100 labels in 60,000 images a random batch would hold a labeled
    example one time in six; the paper's classification phase runs on a
    labeled mini-batch every step instead. Each element here is one batch of
    all images (their labels hidden as -1) followed by `labeled_batch_size`
    examples drawn, reshuffled, from the labeled ones (label >= 0). An epoch
    is one pass over all images.

    Args:
        images: Array of images.
        labels: Int labels `(n,)`, -1 for unlabeled examples.
        batch_size: Positive int, the examples per batch from all images.
        labeled_batch_size: Positive int; defaults to `batch_size`.
        seed: Optional int seed of both shuffles.
        epochs: Optional; as in `as_dataset`, for resumable runs.
        initial_epoch: As in `as_dataset`.
        order: Optional `EpochOrder`, as in `as_dataset`.
        drop_remainder: Whether each epoch drops its last batch of fewer
            than `batch_size` images.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` batches.

    Raises:
        ValueError: If no example is labeled or the lengths differ.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    labeled_batch_size = check_positive_int(
        labeled_batch_size or batch_size, "labeled_batch_size"
    )
    labels = np.asarray(labels).astype("int64").reshape(-1)
    if len(labels) != len(images):
        raise ValueError(
            "`images` and `labels` must have the same length. Received: "
            f"{len(images)} images and {len(labels)} labels"
        )
    labeled = labels >= 0
    if not labeled.any():
        raise ValueError("`labels` has no labeled example (all are -1).")
    hidden = np.full_like(labels, -1)
    everything = as_dataset(
        images,
        hidden,
        batch_size=batch_size,
        seed=seed,
        epochs=epochs,
        initial_epoch=initial_epoch,
        order=order,
        drop_remainder=drop_remainder,
    )
    steps = steps_per_epoch(len(images), batch_size, drop_remainder)
    few_elements = (images[labeled], labels[labeled])
    if order is not None:
        few = order.passes(
            int(labeled.sum()),
            steps,
            labeled_batch_size,
            stream=1,
        ).map(_gatherer(few_elements))
    elif epochs is None:
        few = tf.data.Dataset.from_tensor_slices(few_elements)
        few = few.shuffle(
            int(labeled.sum()), seed=seed, reshuffle_each_iteration=True
        )
        few = few.repeat().batch(labeled_batch_size)
    else:
        few = _labeled_batches(
            steps,
            int(labeled.sum()),
            labeled_batch_size,
            seed,
            epochs,
            initial_epoch,
        )
        few = few.map(_gatherer(few_elements))
    both = tf.data.Dataset.zip(everything, few).map(
        lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0))
    )
    return _prefetched(both)


def _labeled_batches(
    steps, num_labeled, labeled_batch_size, seed, epochs, initial_epoch
):
    """Per epoch, enough reshuffled passes over the labeled examples to give
    each of its `steps` a labeled batch; each epoch's order depends on
    (seed, epoch)."""

    def one_epoch(epoch):
        key = _epoch_key(seed, epoch, 1)
        return _pass_batches(num_labeled, steps, labeled_batch_size, key)

    return tf.data.Dataset.range(initial_epoch, epochs).flat_map(one_epoch)


def load(
    name,
    split="train",
    batch_size=128,
    shuffle=True,
    seed=None,
    with_labels=False,
    data_dir=None,
    download=True,
):
    """Loads a dataset as a shuffled, batched, prefetched `tf.data` pipeline.

    Args:
        name: `"digits"` or a tensorflow-datasets image dataset name.
        split: Which split, e.g. `"train"` or `"test"`.
        batch_size: Positive int.
        shuffle: Whether to reshuffle every epoch.
        seed: Optional int seed of the shuffle.
        with_labels: If True, elements are `(images, labels)`.
        data_dir: Folder of prepared TFDS data; defaults to `$TFDS_DATA_DIR`.
        download: Whether TFDS may try to download missing data.

    Returns:
        A `tf.data.Dataset` of float32 images in [0, 1].

    Raises:
        ValueError: If the dataset name is unknown.
        DatasetNotFoundError: If the data is not there and cannot be fetched.
    """
    images, labels = load_arrays(
        name, split, data_dir=data_dir, download=download
    )
    return as_dataset(
        images,
        labels if with_labels else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )


def _domain_batches(num_examples, steps, batch_size, seed, order, stream):
    """`steps` index batches of one domain: one epoch of the larger domain
    (`stream` 0), reshuffled passes over the smaller one (`stream` 1)."""
    if order is not None:
        if stream == 0:
            return order.batches(num_examples, batch_size, True)
        return order.passes(num_examples, steps, batch_size, stream)
    indices = tf.data.Dataset.range(num_examples).shuffle(
        num_examples,
        seed=None if seed is None else seed + stream,
        reshuffle_each_iteration=True,
    )
    if stream:
        indices = indices.repeat()
    return indices.batch(batch_size, drop_remainder=True).take(steps)


def domain_adaptation_dataset(
    source, target, batch_size=64, seed=None, order=None
):
    """Batches of labeled source and unlabeled target images, half each.

    Each element is `batch_size` source images followed by `batch_size`
    target images, with `y = {"label": ..., "domain": ...}` (domain 0 for
    source, 1 for target; every target label is -1, see
    `keras_aae.data.domains`). An epoch is one pass over the larger domain;
    the smaller one is drawn in reshuffled passes. Each pass drops its last,
    smaller batch, so both halves are always full.

    Args:
        source: `(images, labels)` of the source domain.
        target: Images of the target domain, without labels.
        batch_size: Positive int, the examples per domain in a batch.
        seed: Optional int seed of both shuffles.
        order: Optional `EpochOrder` (also passed to `fit` as a callback):
            each epoch's order then depends on the seed and the epoch only,
            for runs that resume exactly.

    Returns:
        A `tf.data.Dataset` of `(images, {"label", "domain"})` batches.

    Raises:
        ValueError: If a domain is empty, the target is given with labels,
            no source image is labeled, or the domains' shapes differ.

    Example:

    >>> x, y = load_arrays("digits")
    >>> ds = domain_adaptation_dataset((x, y), x[:100], batch_size=32)
    >>> images, targets = next(iter(ds))
    >>> images.shape, targets["domain"].numpy()[[0, -1]]
    (TensorShape([64, 8, 8, 1]), array([0, 1]))
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    source_images, source_labels = domains.source_arrays(source)
    target_images = domains.target_array(target)
    domains.check_domains_not_empty(source_images, target_images)
    domains.check_domain_shapes(
        source_images.shape[1:], target_images.shape[1:]
    )
    halves = (
        (source_images, source_labels, domains.SOURCE),
        (target_images, np.full(len(target_images), -1), domains.TARGET),
    )
    larger = int(len(target_images) > len(source_images))
    steps = steps_per_epoch(len(halves[larger][0]), batch_size, True)
    batches = []
    for index, (images, labels, domain) in enumerate(halves):
        stream = 0 if index == larger else 1
        # A domain smaller than a batch is drawn in passes of its own size.
        size = min(batch_size, len(images)) if stream == 0 else batch_size
        elements = (
            images,
            {
                domains.LABEL_KEY: labels.astype("int64"),
                domains.DOMAIN_KEY: np.full(len(images), domain, "int64"),
            },
        )
        indices = _domain_batches(len(images), steps, size, seed, order, stream)
        batches.append(indices.map(_gatherer(elements)))
    return _prefetched(
        tf.data.Dataset.zip(*batches).map(
            lambda a, b: tf.nest.map_structure(
                lambda u, v: tf.concat([u, v], 0), a, b
            )
        )
    )
