"""Data for unsupervised domain adaptation: two domains in one dataset.

A domain adaptation model (`keras_aae.models`' domain adaptation AAE)
trains on labeled source images and unlabeled target images.
`fit` takes one dataset of `(images, {"label": labels, "domain": domains})`
elements: domain 0 is the source, 1 the target, and a label is -1 where it
is unknown, which it is for every target image (target labels never reach
training). `keras_aae.data.domain_adaptation_dataset` builds it from arrays;
`resize_images` brings one domain's images to the other's shape; the checks
here run before training.

Example:

>>> from keras_aae import data
>>> x_s, y_s = data.load_arrays("digits", "train")
>>> x_t = data.resize_images(x_s, (12, 12))[:100]
>>> x_s12 = data.resize_images(x_s, (12, 12))
>>> ds = data.domain_adaptation_dataset((x_s12, y_s), x_t, batch_size=32)
>>> x, y = next(iter(ds))
>>> x.shape, sorted(y)
(TensorShape([64, 12, 12, 1]), ['domain', 'label'])
"""

import numpy as np
import tensorflow as tf

from keras_aae.data.loading import DIGITS
from keras_aae.data.loading import load_splits

SOURCE = 0
TARGET = 1
LABEL_KEY = "label"
DOMAIN_KEY = "domain"
# MNIST's digits are scaled into a 20x20 box centred in the 28x28 image
# (LeCun et al.); `resize_images` can do the same to other digits.
MNIST_BOX_FRACTION = 20 / 28


def resize_images(images, size, box_fraction=1.0):
    """Resizes images `(n, h, w, c)` to `size`, optionally into a centred box.

    Args:
        images: Array of images in [0, 1].
        size: `(height, width)` of the result.
        box_fraction: Share of `size` the image is scaled into, the rest a
            zero margin: `MNIST_BOX_FRACTION` places digits as MNIST does.

    Returns:
        A float32 numpy array `(n,) + size + (c,)`.

    Raises:
        ValueError: If `images` is not 4-D or `box_fraction` not in (0, 1].

    Example:

    >>> resize_images(np.zeros((2, 8, 8, 1)), (28, 28), 20 / 28).shape
    (2, 28, 28, 1)
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(
            "`images` must be a batch (n, height, width, channels). "
            f"Received: images of shape {images.shape}"
        )
    if not 0.0 < box_fraction <= 1.0:
        raise ValueError(
            f"`box_fraction` must be in (0, 1]. Received: {box_fraction!r}"
        )
    height, width = (int(s) for s in size)
    box = (round(height * box_fraction), round(width * box_fraction))
    resized = tf.image.resize(images, box, method="bilinear").numpy()
    top, left = (height - box[0]) // 2, (width - box[1]) // 2
    padding = (
        (0, 0),
        (top, height - box[0] - top),
        (left, width - box[1] - left),
        (0, 0),
    )
    return np.clip(np.pad(resized, padding), 0.0, 1.0).astype("float32")


def check_domain_shapes(source_shape, target_shape):
    """Raises `ValueError` unless both domains' images have one shape."""
    if tuple(source_shape) != tuple(target_shape):
        raise ValueError(
            "Source and target images must have the same shape: the encoder "
            "reads both. Resize the target images first, e.g. "
            "`keras_aae.data.resize_images(target_images, "
            f"{tuple(source_shape[:2])})` (add `box_fraction=20 / 28` for "
            "digits going to MNIST's layout). Received: source images of "
            f"shape {tuple(source_shape)}, target images of shape "
            f"{tuple(target_shape)}"
        )


def source_arrays(source):
    """`(images, labels)` of the labeled source domain, checked."""
    if not isinstance(source, (tuple, list)) or len(source) != 2:
        raise ValueError(
            "`source` must be `(images, labels)`: the source domain is the "
            f"labeled one. Received: source of type {type(source).__name__}"
        )
    images = np.asarray(source[0])
    labels = np.asarray(source[1]).astype("int64").reshape(-1)
    if len(images) != len(labels):
        raise ValueError(
            "The source images and labels must have the same length. "
            f"Received: {len(images)} images and {len(labels)} labels"
        )
    if len(labels) and not (labels >= 0).any():
        raise ValueError(
            "No source image is labeled (all labels are -1): the source "
            "domain is the labeled one."
        )
    return images, labels


def target_array(target):
    """The unlabeled target images; refuses labels given with them."""
    if isinstance(target, (tuple, list)):
        raise ValueError(
            "`target` must be the target images alone: target labels must "
            "never reach training (score the adapted model on them after "
            f"training). Received: target of type {type(target).__name__} "
            f"of length {len(target)}"
        )
    return np.asarray(target)


def check_domains_not_empty(source_images, target_images):
    """Raises `ValueError` if either domain has no image."""
    for name, images in (("source", source_images), ("target", target_images)):
        if np.ndim(images) == 0 or len(images) == 0:
            raise ValueError(
                f"The {name} domain is empty: domain adaptation needs images "
                f"of both domains. Received: {name} images of shape "
                f"{np.shape(images)}"
            )


def check_domain_targets(y, num_examples, num_classes):
    """Checks `fit`'s `y` for a domain adaptation model.

    Args:
        y: `{"label": (n,), "domain": (n,)}` ints.
        num_examples: The number of images `n`.
        num_classes: The model's number of classes.

    Raises:
        TypeError: If `y` is not such a dict.
        ValueError: If a domain is not 0 or 1, either domain is absent, a
            target example carries a label, or a label is out of range.
    """
    if not isinstance(y, dict) or set(y) != {LABEL_KEY, DOMAIN_KEY}:
        got = sorted(y) if isinstance(y, dict) else type(y).__name__
        raise TypeError(
            f"A domain adaptation model trains on y={{'{LABEL_KEY}': labels, "
            f"'{DOMAIN_KEY}': domains}} (domain 0 source, 1 target; label -1 "
            "where unknown); keras_aae.data.domain_adaptation_dataset builds "
            f"it. Received: y={got}"
        )
    labels = np.asarray(y[LABEL_KEY]).astype("int64").reshape(-1)
    domains = np.asarray(y[DOMAIN_KEY]).astype("int64").reshape(-1)
    if len(labels) != num_examples or len(domains) != num_examples:
        raise ValueError(
            f"`y` must hold a label and a domain per example ({num_examples})."
            f" Received: {len(labels)} labels and {len(domains)} domains"
        )
    bad = domains[(domains != SOURCE) & (domains != TARGET)]
    if len(bad):
        raise ValueError(
            f"Domains must be {SOURCE} (source) or {TARGET} (target). "
            f"Received: domain {bad[0]}"
        )
    check_domains_not_empty(
        labels[domains == SOURCE], labels[domains == TARGET]
    )
    labeled_targets = int(np.sum((domains == TARGET) & (labels >= 0)))
    if labeled_targets:
        raise ValueError(
            "Target labels must never reach training: set every target "
            "example's label to -1 (domain_adaptation_dataset does). "
            f"Received: {labeled_targets} target examples with a label"
        )
    if labels.min() < -1 or labels.max() >= num_classes:
        bad = labels[(labels < -1) | (labels >= num_classes)][0]
        raise ValueError(
            f"Labels must be class indices in [0, {num_classes - 1}] or -1 "
            f"for unlabeled. Received: label {bad}"
        )


def _matched(splits, image_shape, box_fraction):
    shape = next(iter(splits.values()))[0].shape[1:]
    if tuple(shape) == tuple(image_shape):
        return splits
    if shape[-1] != image_shape[-1]:
        raise ValueError(
            "The target images must have as many channels as the source's "
            f"({image_shape[-1]}). Received: target images of shape {shape}"
        )
    return {
        key: (resize_images(x, image_shape[:2], box_fraction), y)
        for key, (x, y) in splits.items()
    }


def load_domain_splits(source, target, data_dir=None, download=True):
    """Loads two datasets as domains: the target resized to the source.

    A target whose images differ in size from the source's is resized to
    them; scikit-learn's `digits` (digits filling the frame) into MNIST's
    central 20x20 box of 28x28 (`MNIST_BOX_FRACTION`), others to the whole
    frame.

    Args:
        source: Name of the labeled source dataset, e.g. `"mnist"`.
        target: Name of the target dataset, e.g. `"digits"`.
        data_dir: Folder of prepared TFDS data; defaults to `$TFDS_DATA_DIR`.
        download: Whether TFDS may try to download data that is not prepared.

    Returns:
        `{"source": splits, "target": splits}`, each as
        `keras_aae.data.load_splits` returns; the target's labels are for
        scoring only.

    Raises:
        ValueError: If the names are equal or the channels differ.

    Example:

    >>> # domains = load_domain_splits("mnist", "digits")
    >>> # domains["target"]["test"][0].shape   # (297, 28, 28, 1)
    """
    if source == target:
        raise ValueError(
            "Domain adaptation needs two different datasets. Received: "
            f"source={source!r}, target={target!r}"
        )
    source_splits = load_splits(source, data_dir=data_dir, download=download)
    target_splits = load_splits(target, data_dir=data_dir, download=download)
    box = MNIST_BOX_FRACTION if target == DIGITS and source != DIGITS else 1.0
    image_shape = source_splits["train"][0].shape[1:]
    return {
        "source": source_splits,
        "target": _matched(target_splits, image_shape, box),
    }
