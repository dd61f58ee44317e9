"""Label subsets and held-out classes: which examples keep which labels.

The paper's semi-supervised protocols keep a few labels, equally many per
class (`balanced_subset`, `hide_labels`); anomaly detection holds whole
classes out of training and scores them as anomalies (`split_classes`,
`hold_out`).
"""

import numpy as np

from keras_aae._validation import check_positive_int


def balanced_subset(labels, num_labels, seed=0):
    """Indices of `num_labels` examples, equally many of each class, seeded.

    Args:
        labels: Int labels `(n,)`.
        num_labels: Positive int, a multiple of the number of classes.
        seed: Int seed.

    Returns:
        A sorted int array of indices.

    Raises:
        ValueError: If `num_labels` is not a multiple of the number of
            classes or a class has too few examples.
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    num_labels = check_positive_int(num_labels, "num_labels")
    if num_labels % len(classes):
        raise ValueError(
            f"`num_labels` must be a multiple of the number of classes "
            f"({len(classes)}). Received: num_labels={num_labels}"
        )
    per_class = num_labels // len(classes)
    rng = np.random.default_rng(seed)
    chosen = []
    for c in classes:
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(
                f"Class {c} has {len(members)} examples; {per_class} are needed "
                f"for num_labels={num_labels}."
            )
        chosen.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(chosen))


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
    hidden = np.full_like(labels, -1)
    chosen = balanced_subset(labels, num_labeled, seed=seed)
    hidden[chosen] = labels[chosen]
    return hidden


def split_classes(images, labels, classes):
    """Splits examples by whether their label is one of `classes`.

    Args:
        images: Array of images `(n, ...)`.
        labels: Int labels `(n,)`.
        classes: Int classes to take out.

    Returns:
        `((images, labels), (held_images, held_labels))`: the examples of the
        other classes, then those of `classes`.

    Example:

    >>> (x, y), (x_7, y_7) = split_classes(np.zeros((3, 2)), [1, 7, 2], [7])
    >>> y.tolist(), y_7.tolist()
    ([1, 2], [7])
    """
    labels = np.asarray(labels)
    held = np.isin(labels, np.asarray(classes))
    return (images[~held], labels[~held]), (images[held], labels[held])


def hold_out(splits, classes):
    """Holds `classes` out of every split; their test images are anomalies.

    The anomaly-detection protocol of the seed document: a model trained
    without some classes scores their test images as anomalies against the
    other test images (`keras-aae train --holdout-labels`, `keras-aae
    evaluate --anomaly-labels`).

    Args:
        splits: Dict of `(images, labels)` with a `"test"` split
            (`load_splits`).
        classes: Int classes to hold out.

    Returns:
        `(kept, anomalies)`: the splits without `classes`, and the test
        images of `classes`.

    Raises:
        ValueError: If `classes` names none, or all, of the test classes.
    """
    _, (anomalies, _) = split_classes(*splits["test"], classes)
    if not len(anomalies) or len(anomalies) == len(splits["test"][1]):
        raise ValueError(
            "The held-out classes must be some, not all, of the test "
            f"classes. Received: classes={[int(c) for c in classes]!r}"
        )
    kept = {
        name: split_classes(*split, classes)[0]
        for name, split in splits.items()
    }
    return kept, anomalies
