"""Datasets as `tf.data` pipelines of images scaled to [0, 1].

Any tensorflow-datasets image dataset loads by name (`mnist` first,
`fashion_mnist` too); `digits` is scikit-learn's bundled 8x8 digits, which
needs no network at all. Prepared TFDS data is looked up in `data_dir`, else
`$TFDS_DATA_DIR`, else TFDS's default folder.

Example:

>>> from keras_aae import data
>>> train = data.load("digits", split="train", batch_size=64, seed=0)
>>> images = next(iter(train))
>>> images.shape
TensorShape([64, 8, 8, 1])
"""

import os

import numpy as np
import tensorflow as tf

from keras_aae._validation import check_positive_int

DIGITS = "digits"
_DIGITS_TEST_SIZE = 297


class DatasetNotFoundError(FileNotFoundError):
    """Raised when a dataset is neither prepared locally nor downloadable."""


def _digits_arrays(split):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype("float32")[..., None]
    labels = bunch.target.astype("int64")
    # A fixed permutation so the split is the same on every machine.
    order = np.random.default_rng(0).permutation(len(labels))
    test, train = order[:_DIGITS_TEST_SIZE], order[_DIGITS_TEST_SIZE:]
    index = {"train": train, "test": test, "all": order}[split]
    return images[index], labels[index]


def _tfds_data_dir(data_dir):
    return data_dir or os.environ.get("TFDS_DATA_DIR")


def _not_found_message(name, data_dir):
    where = data_dir or "TFDS's default folder (~/tensorflow_datasets)"
    return (
        f"Dataset {name!r} is not prepared in {where} and could not be "
        "downloaded. Point `data_dir` (CLI: --data-dir) or the TFDS_DATA_DIR "
        "environment variable at a tensorflow-datasets folder that holds it, "
        f"or prepare it there once with `tfds.builder({name!r}, data_dir=DIR)"
        ".download_and_prepare()` (given the raw files, pass "
        "download_config=tfds.download.DownloadConfig(manual_dir=RAW)). "
        "The 'digits' dataset needs no files."
    )


def _tfds_arrays(name, split, data_dir, download):
    import tensorflow_datasets as tfds

    data_dir = _tfds_data_dir(data_dir)
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(
            "Unknown dataset. Expected 'digits' or a tensorflow-datasets name "
            f"such as 'mnist'. Received: dataset={name!r}"
        ) from None
    if not builder.is_prepared():
        if not download:
            raise DatasetNotFoundError(_not_found_message(name, data_dir))
        try:
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(try_download_gcs=False)
            )
        except Exception:  # any download failure becomes one clear message
            raise DatasetNotFoundError(_not_found_message(name, data_dir)) from None
    keys = builder.info.supervised_keys or ("image", "label")
    batch = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    images = batch[keys[0]].astype("float32") / 255.0
    return images, batch[keys[1]].astype("int64")


def load_arrays(name, split="train", data_dir=None, download=True):
    """Loads a whole split as numpy arrays.

    Args:
        name: `"digits"` or a tensorflow-datasets name, e.g. `"mnist"`.
        split: `"train"` or `"test"` (any TFDS split string for TFDS data).
        data_dir: Folder of prepared TFDS data; defaults to `$TFDS_DATA_DIR`.
        download: Whether TFDS may try to download data that is not prepared.

    Returns:
        A tuple `(images, labels)`: float32 images in [0, 1] of shape
        `(n, height, width, channels)` and int64 labels.

    Raises:
        ValueError: If the dataset name is unknown.
        DatasetNotFoundError: If the data is not there and cannot be fetched.
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a string. Received: name={name!r}")
    if name == DIGITS:
        if split not in ("train", "test", "all"):
            raise ValueError(
                "`split` for 'digits' must be 'train', 'test' or 'all'. "
                f"Received: split={split!r}"
            )
        return _digits_arrays(split)
    return _tfds_arrays(name, split, data_dir, download)


def validation_size(num_train):
    """Images held out of a training split for validation.

    1,000, as in the paper's Parzen protocol, for splits of at least 10,000
    images; a tenth of smaller ones (scikit-learn's digits: 150).
    """
    return 1000 if num_train >= 10000 else max(1, num_train // 10)


def load_splits(name, data_dir=None, download=True):
    """Loads training, validation and test arrays.

    The validation images are the last `validation_size(n)` of the training
    split; they are held out of `train`, so a model trained on `train` can be
    scored on them (Parzen's bandwidth, the clustering rule of section 6).

    Args:
        name: `"digits"` or a tensorflow-datasets name, e.g. `"mnist"`.
        data_dir: Folder of prepared TFDS data; defaults to `$TFDS_DATA_DIR`.
        download: Whether TFDS may try to download data that is not prepared.

    Returns:
        A dict with keys `"train"`, `"validation"`, `"test"`, each an
        `(images, labels)` tuple as `load_arrays` returns.

    Example:

    >>> splits = load_splits("digits")
    >>> [len(splits[k][0]) for k in ("train", "validation", "test")]
    [1350, 150, 297]
    """
    images, labels = load_arrays(name, "train", data_dir=data_dir, download=download)
    held_out = validation_size(len(images))
    return {
        "train": (images[:-held_out], labels[:-held_out]),
        "validation": (images[-held_out:], labels[-held_out:]),
        "test": load_arrays(name, "test", data_dir=data_dir, download=download),
    }


def as_dataset(
    images,
    labels=None,
    batch_size=128,
    shuffle=True,
    seed=None,
    drop_remainder=False,
    epochs=None,
    initial_epoch=0,
):
    """Wraps arrays in a shuffled, batched, prefetched `tf.data.Dataset`.

    By default the dataset is one epoch, reshuffled each time it is
    iterated. With `epochs`, it is instead every epoch from `initial_epoch`
    to `epochs` back to back, and epoch `e`'s order depends on `(seed, e)`
    only: a run resumed at epoch `e` sees exactly the batches an
    uninterrupted run would. Pass `steps_per_epoch=steps_per_epoch(...)` to
    `fit` then (this is what `keras-aae train` does).

    Args:
        images: Array of images.
        labels: Optional array of labels; if given, elements are `(x, y)`.
        batch_size: Positive int.
        shuffle: Whether to shuffle every epoch.
        seed: Optional int seed of the shuffle (0 when `epochs` is given).
        drop_remainder: Whether to drop the last, smaller batch.
        epochs: Optional positive int, the last epoch (exclusive) to include.
        initial_epoch: Non-negative int, the first epoch (with `epochs`).

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
    if epochs is not None and shuffle:
        order = _epoch_orders(len(images), batch_size, seed, epochs, initial_epoch,
                              drop_remainder)
        return order.map(_gatherer(elements)).prefetch(tf.data.AUTOTUNE)
    ds = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(
        tf.data.AUTOTUNE
    )


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
    return tf.stack([tf.cast(seed or 0, tf.int64) + stream * 7919,
                     tf.cast(epoch, tf.int64)])


def _permutation(shape, key):
    """Random permutations of `range(shape[-1])`, one per leading index."""
    # Integer keys: ties (frequent among float32 uniforms) never decide.
    keys = tf.random.stateless_uniform(
        shape, seed=key, minval=None, maxval=None, dtype=tf.int64
    )
    return tf.argsort(keys, axis=-1, stable=True)


def _check_epochs(epochs, initial_epoch):
    epochs = check_positive_int(epochs, "epochs")
    if (isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int)
            or not 0 <= initial_epoch <= epochs):
        raise ValueError(
            f"`initial_epoch` must be an int in [0, epochs={epochs}]. "
            f"Received: initial_epoch={initial_epoch!r}"
        )
    return epochs, initial_epoch


def _epoch_orders(num_examples, batch_size, seed, epochs, initial_epoch,
                  drop_remainder):
    """Batches of example indices for epochs `initial_epoch..epochs-1`."""
    epochs, initial_epoch = _check_epochs(epochs, initial_epoch)

    def one_epoch(epoch):
        order = _permutation([num_examples], _epoch_key(seed, epoch))
        return tf.data.Dataset.from_tensor_slices(order).batch(
            batch_size, drop_remainder=drop_remainder
        )

    return tf.data.Dataset.range(initial_epoch, epochs).flat_map(one_epoch)


def _gatherer(elements):
    """Maps a batch of indices to the batch of `elements` they pick."""
    tensors = tf.nest.map_structure(tf.convert_to_tensor, elements)
    return lambda indices: tf.nest.map_structure(
        lambda t: tf.gather(t, indices), tensors
    )


def hide_labels(labels, num_labeled, seed=0):
    """Keeps `num_labeled` labels, equally many per class, and hides the rest.

    The semi-supervised protocol of the paper's section 5 (e.g. 100 labels
    of MNIST): hidden labels become -1, which the label-using models read as
    "unlabeled".

    Args:
        labels: Int labels `(n,)`, non-negative.
        num_labeled: Positive int, a multiple of the number of classes, or
            None to keep every label.
        seed: Int seed of the choice.

    Returns:
        An int64 array `(n,)`: the chosen labels, -1 elsewhere.

    Raises:
        ValueError: If a label is negative or `num_labeled` does not divide
            evenly among the classes.

    Example:

    >>> hide_labels(np.array([0, 1, 0, 1]), 2, seed=0).tolist().count(-1)
    2
    """
    labels = np.asarray(labels).astype("int64").reshape(-1)
    if labels.size and labels.min() < 0:
        raise ValueError(
            "`labels` must be non-negative class indices. Received: a label "
            f"{int(labels.min())}"
        )
    if num_labeled is None:
        return labels.copy()
    from keras_aae.evaluation import balanced_subset

    hidden = np.full_like(labels, -1)
    chosen = balanced_subset(labels, num_labeled, seed=seed)
    hidden[chosen] = labels[chosen]
    return hidden


def semi_supervised_dataset(
    images,
    labels,
    batch_size=100,
    labeled_batch_size=None,
    seed=None,
    epochs=None,
    initial_epoch=0,
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
    everything = as_dataset(images, hidden, batch_size=batch_size, seed=seed,
                            epochs=epochs, initial_epoch=initial_epoch)
    few_elements = (images[labeled], labels[labeled])
    if epochs is None:
        few = tf.data.Dataset.from_tensor_slices(few_elements)
        few = few.shuffle(int(labeled.sum()), seed=seed,
                          reshuffle_each_iteration=True)
        few = few.repeat().batch(labeled_batch_size)
    else:
        few = _labeled_batches(len(images), int(labeled.sum()), batch_size,
                               labeled_batch_size, seed, epochs, initial_epoch)
        few = few.map(_gatherer(few_elements))
    both = tf.data.Dataset.zip(everything, few).map(
        lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0))
    )
    return both.prefetch(tf.data.AUTOTUNE)


def _labeled_batches(num_examples, num_labeled, batch_size, labeled_batch_size,
                     seed, epochs, initial_epoch):
    """Per epoch, enough reshuffled passes over the labeled examples to give
    every step a labeled batch; each epoch's order depends on (seed, epoch)."""
    steps = steps_per_epoch(num_examples, batch_size)
    passes = -(-steps * labeled_batch_size // num_labeled)

    def one_epoch(epoch):
        order = _permutation([passes, num_labeled], _epoch_key(seed, epoch, 1))
        order = tf.reshape(order, [-1])[: steps * labeled_batch_size]
        return tf.data.Dataset.from_tensor_slices(order).batch(labeled_batch_size)

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
    images, labels = load_arrays(name, split, data_dir=data_dir, download=download)
    return as_dataset(
        images,
        labels if with_labels else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )


# ------------------------------------------------------------------ checks


def check_training_data(
    x, y=None, input_shape=None, unit_interval=False, label_bounds=None, name="x"
):
    """Checks data before training on it, with errors that say what is wrong.

    Numpy arrays, lists and tensors are checked whole. For a
    `tf.data.Dataset` (elements `x` or `(x, y)`) the element shapes and
    dtypes are checked, and the values of its first batch. Other inputs
    (generators, `keras.utils.PyDataset`) are left to Keras.

    Args:
        x: The images, or a dataset of images or `(images, labels)`.
        y: Optional labels for array `x`.
        input_shape: Optional shape of one example; `None` entries match any
            size.
        unit_interval: Whether the images must lie in [0, 1] (a decoder
            ending in a sigmoid cannot produce anything else).
        label_bounds: Optional inclusive `(low, high)` range of the labels;
            None if the model ignores labels.
        name: The argument's name in error messages.

    Raises:
        TypeError: If the data is not numeric.
        ValueError: If it is empty, mis-shaped, not finite, outside [0, 1]
            when `unit_interval`, or a label is out of range.

    Example:

    >>> check_training_data(np.full((2, 8, 8, 1), 2.0), unit_interval=True)
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    if x is None:
        raise ValueError(f"`{name}` is required. Received: {name}=None")
    if isinstance(x, tf.data.Dataset):
        x, y = _first_batch(x, input_shape, name)
        if x is None:
            return
    elif not isinstance(x, (np.ndarray, list, tuple, tf.Tensor)):
        return
    images = _numeric_array(x, name)
    if images.ndim == 0 or len(images) == 0:
        raise ValueError(
            f"`{name}` is empty: there is nothing to train on. "
            f"Received: {name} of shape {images.shape}"
        )
    _check_example_shape(images.shape[1:], input_shape, name)
    _check_values(images, unit_interval, name)
    if y is not None and label_bounds is not None:
        _check_labels(y, len(images), label_bounds)


def _numeric_array(x, name):
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:  # ragged lists, ...
        raise ValueError(
            f"`{name}` must be an array of numbers. Received: {name} that numpy "
            f"cannot read as one ({' '.join(str(error).split())})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must hold numbers. Received: {name} of dtype {array.dtype}"
        )
    return array


def _check_example_shape(shape, expected, name):
    if expected is None:
        return
    fits = len(shape) == len(expected) and all(
        e is None or s is None or s == e for s, e in zip(shape, expected)
    )
    if not fits:
        raise ValueError(
            f"Each example of `{name}` must have the encoder's input shape "
            f"{tuple(expected)}. Received: examples of shape {tuple(shape)}"
        )


def _check_values(images, unit_interval, name):
    if images.dtype.kind == "f":
        bad = ~np.isfinite(images)
        if bad.any():
            first = np.unravel_index(int(np.argmax(bad)), images.shape)[0]
            raise ValueError(
                f"`{name}` must be finite. Received: {int(bad.sum())} NaN or "
                f"infinite values (the first in example {int(first)})"
            )
    if unit_interval:
        low, high = float(images.min()), float(images.max())
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"`{name}` must lie in [0, 1]: the decoder ends in a sigmoid. "
                f"Received: values in [{low:g}, {high:g}] (scale the images, "
                "e.g. divide uint8 pixels by 255)"
            )


def _check_labels(y, num_examples, bounds):
    labels = _numeric_array(y, "y")
    low, high = bounds
    if labels.dtype.kind == "f" and not np.all(np.mod(labels, 1) == 0):
        raise ValueError(
            "`y` must hold integer class labels. Received: non-integer values"
        )
    labels = labels.reshape(-1) if labels.ndim > 1 and labels.shape[-1] == 1 else labels
    if labels.ndim != 1 or len(labels) != num_examples:
        raise ValueError(
            f"`y` must hold one label per example ({num_examples}). "
            f"Received: y of shape {labels.shape}"
        )
    if len(labels) and (labels.min() < low or labels.max() > high):
        bad = labels[(labels < low) | (labels > high)][0]
        unlabeled = " or -1 for unlabeled" if low == -1 else ""
        raise ValueError(
            f"Labels must be class indices in [0, {high}]{unlabeled}. "
            f"Received: label {bad:g}"
        )


def _first_batch(dataset, input_shape, name):
    """`(x, y)` of the dataset's first element, after checking its spec."""
    spec = dataset.element_spec
    x_spec = spec[0] if isinstance(spec, tuple) else spec
    if not isinstance(x_spec, tf.TensorSpec):
        return None, None  # dicts, ragged, ...: Keras' own checks apply
    if not (x_spec.dtype.is_floating or x_spec.dtype.is_integer):
        raise TypeError(
            f"`{name}` must yield numbers. Received: a dataset of {x_spec.dtype.name}"
        )
    if input_shape is not None and x_spec.shape.rank is not None:
        _check_example_shape(tuple(x_spec.shape[1:]), input_shape, name)
    if dataset.cardinality() == 0:
        raise ValueError(f"`{name}` is an empty dataset: there is nothing to train on.")
    for element in dataset.take(1):
        if isinstance(element, tuple):
            return element[0].numpy(), element[1].numpy() if len(element) > 1 else None
        return element.numpy(), None
    raise ValueError(f"`{name}` is an empty dataset: there is nothing to train on.")
