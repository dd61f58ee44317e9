"""Loading image datasets as numpy arrays scaled to [0, 1].

Any tensorflow-datasets image dataset loads by name (`mnist` first,
`fashion_mnist` too); `digits` is scikit-learn's bundled 8x8 digits, which
needs no network at all. Prepared TFDS data is looked up in `data_dir`, else
`$TFDS_DATA_DIR`, else TFDS's default folder. Decoded splits are cached
as arrays (`keras_aae.data.cache`): MNIST's training split then loads in
about 0.1 s instead of 4 s.

Example:

>>> from keras_aae import data
>>> images, labels = data.load_arrays("digits", "train")
>>> images.shape
(1500, 8, 8, 1)
"""

import os

import numpy as np

from keras_aae.data.cache import ArrayCache

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
    data_dir = _tfds_data_dir(data_dir)
    # The cache is keyed by the folder TFDS is pointed at: its own default
    # when neither `data_dir` nor $TFDS_DATA_DIR names one.
    where = os.path.expanduser(data_dir or "~/tensorflow_datasets")
    cache = ArrayCache.default()
    cached = cache.load(name, split, where)
    if cached is None:
        images, labels, folder = _decode_tfds(name, split, data_dir, download)
        cache.store(name, split, where, folder, images, labels)
    else:
        images, labels = cached
    return images.astype("float32") / 255.0, labels.astype("int64")


def _decode_tfds(name, split, data_dir, download):
    """The split's raw images and labels through TFDS, and the prepared
    version folder they were read from."""
    import tensorflow_datasets as tfds

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
                download_config=tfds.download.DownloadConfig(
                    try_download_gcs=False
                )
            )
        except Exception:  # any download failure becomes one clear message
            raise DatasetNotFoundError(
                _not_found_message(name, data_dir)
            ) from None
    keys = builder.info.supervised_keys or ("image", "label")
    batch = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    return batch[keys[0]], batch[keys[1]], os.fspath(builder.data_dir)


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
    images, labels = load_arrays(
        name, "train", data_dir=data_dir, download=download
    )
    held_out = validation_size(len(images))
    return {
        "train": (images[:-held_out], labels[:-held_out]),
        "validation": (images[-held_out:], labels[-held_out:]),
        "test": load_arrays(name, "test", data_dir=data_dir, download=download),
    }
