"""Checks of training data, with errors that say what is wrong."""

import numpy as np
import tensorflow as tf

from keras_aae.data.domains import check_domain_targets


def check_training_data(
    x,
    y=None,
    input_shape=None,
    unit_interval=False,
    label_bounds=None,
    name="x",
    domains=None,
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
        domains: For a domain adaptation model, its number of classes: `y`
            must then be `{"label", "domain"}` as
            `keras_aae.data.domains.check_domain_targets` says.

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
    if domains is not None:
        check_domain_targets(y, len(images), domains)
    elif y is not None and label_bounds is not None:
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
        e is None or s is None or s == e
        for s, e in zip(shape, expected, strict=True)
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
    labels = (
        labels.reshape(-1)
        if labels.ndim > 1 and labels.shape[-1] == 1
        else labels
    )
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
        raise ValueError(
            f"`{name}` is an empty dataset: there is nothing to train on."
        )
    for element in dataset.take(1):
        element = tf.nest.map_structure(lambda t: t.numpy(), element)
        if isinstance(element, tuple):
            return element[0], element[1] if len(element) > 1 else None
        return element, None
    raise ValueError(
        f"`{name}` is an empty dataset: there is nothing to train on."
    )
