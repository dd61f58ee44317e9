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
    images, labels=None, batch_size=128, shuffle=True, seed=None, drop_remainder=False
):
    """Wraps arrays in a shuffled, batched, prefetched `tf.data.Dataset`.

    Args:
        images: Array of images.
        labels: Optional array of labels; if given, elements are `(x, y)`.
        batch_size: Positive int.
        shuffle: Whether to reshuffle every epoch.
        seed: Optional int seed of the shuffle.
        drop_remainder: Whether to drop the last, smaller batch.

    Returns:
        A `tf.data.Dataset`.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    if len(images) == 0:
        raise ValueError("`images` is empty. Received: 0 examples")
    elements = images if labels is None else (images, labels)
    ds = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(
        tf.data.AUTOTUNE
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
    images, labels, batch_size=100, labeled_batch_size=None, seed=None
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
    everything = as_dataset(images, hidden, batch_size=batch_size, seed=seed)
    few = tf.data.Dataset.from_tensor_slices((images[labeled], labels[labeled]))
    few = few.shuffle(int(labeled.sum()), seed=seed, reshuffle_each_iteration=True)
    few = few.repeat().batch(labeled_batch_size)
    both = tf.data.Dataset.zip(everything, few).map(
        lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0))
    )
    return both.prefetch(tf.data.AUTOTUNE)


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
