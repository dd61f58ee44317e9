"""The judge classifier: a small Keras classifier that scores samples.

Trained by the package itself (seeded, cached on disk, never downloaded), it
gives the features for the Frechet distance and the predicted labels for
the mode coverage of decoded prior samples (`sample_quality`).
"""

import hashlib
import os

import keras
import numpy as np

from keras_aae._io import atomic_path
from keras_aae._io import cache_directory
from keras_aae.evaluation.metrics import frechet_distance
from keras_aae.evaluation.metrics import label_histogram_entropy


def _classifier_layers(input_shape, num_classes):
    small = min(input_shape[:2]) < 16
    body = (
        [keras.layers.Flatten(), keras.layers.Dense(256, activation="relu")]
        if small
        else [
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
        ]
    )
    return [
        keras.Input(input_shape),
        *body,
        keras.layers.Dense(128, activation="relu", name="features"),
        keras.layers.Dense(
            num_classes, activation="softmax", name="probabilities"
        ),
    ]


def train_digit_classifier(
    images,
    labels,
    num_classes=10,
    epochs=3,
    seed=0,
    cache_path=None,
    verbose=0,
):
    """Trains the small classifier that judges samples.

    A two-layer CNN (an MLP for images under 16 pixels) with a 128-unit
    `features` layer; seeded, so the same data gives the same weights.

    Args:
        images: Training images `(n, h, w, c)` in [0, 1].
        labels: Int labels `(n,)`.
        num_classes: Number of classes.
        epochs: Training epochs.
        seed: Int seed for weights and shuffling.
        cache_path: Optional `.keras` path; a classifier saved there is
            loaded instead of trained, and a trained one is saved there
            (atomically).
        verbose: Keras' `fit` verbosity while training (1: progress bar).

    Returns:
        A `keras.Model` returning class probabilities.
    """
    if cache_path and os.path.exists(cache_path):
        return keras.models.load_model(cache_path)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        _classifier_layers(images.shape[1:], num_classes),
        name="judge_classifier",
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    if verbose:
        print(f"Training the judge classifier ({epochs} epochs, cached)")
    model.fit(images, labels, epochs=epochs, batch_size=128, verbose=verbose)
    if cache_path:
        os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
        with atomic_path(cache_path) as tmp:
            model.save(tmp)
    return model


def default_cache_dir():
    """`$KERAS_AAE_CACHE`, else `~/.cache/keras_aae`; `None` (no cache)
    when the variable is set to an empty string."""
    return cache_directory()


def judge_classifier(
    images, labels, dataset_name, cache_dir=None, seed=0, verbose=0
):
    """The dataset's judging classifier, trained once and cached on disk.

    The cache file name carries the dataset, the seed and a hash of the
    training labels, so a different training set never reuses it.

    Args:
        images: Training images `(n, h, w, c)` in [0, 1].
        labels: Int labels `(n,)`.
        dataset_name: The dataset's name, part of the cache file's.
        cache_dir: The cache folder (default `default_cache_dir()`).
        seed: Int seed of the classifier's training.
        verbose: 1 shows the training's progress (on its first use).

    Returns:
        A `keras.Model` returning class probabilities.
    """
    digest = hashlib.sha256(np.asarray(labels).tobytes()).hexdigest()[:12]
    name = f"judge-{dataset_name}-seed{seed}-{len(labels)}-{digest}.keras"
    folder = cache_dir or default_cache_dir()
    path = os.path.join(folder, name) if folder else None
    num_classes = int(np.max(labels)) + 1
    return train_digit_classifier(
        images,
        labels,
        num_classes=num_classes,
        seed=seed,
        cache_path=path,
        verbose=verbose,
    )


def classifier_features(classifier, images, batch_size=500):
    """Features (the `features` layer) and predicted labels of images."""
    probe = keras.Model(
        classifier.inputs,
        [classifier.get_layer("features").output, classifier.outputs[0]],
    )
    features, probs = probe.predict(images, batch_size=batch_size, verbose=0)
    return features, np.argmax(probs, axis=1)


def sample_quality(classifier, samples, reference_images):
    """Frechet distance and mode coverage of samples, by a judging classifier.

    Returns:
        A dict: `frechet_distance` (samples vs `reference_images`, on the
        classifier's features), `frechet_distance_floor` (half the reference
        images vs the other half), `label_entropy` of the samples' predicted
        labels in nats (max `log(num_classes)`), and `label_shares`.
    """
    sample_features, sample_labels = classifier_features(classifier, samples)
    reference_features, _ = classifier_features(classifier, reference_images)
    half = len(reference_features) // 2
    num_classes = int(classifier.outputs[0].shape[-1])
    shares = np.bincount(sample_labels, minlength=num_classes) / len(
        sample_labels
    )
    return {
        "frechet_distance": frechet_distance(
            sample_features, reference_features
        ),
        "frechet_distance_floor": frechet_distance(
            reference_features[:half], reference_features[half:]
        ),
        "label_entropy": label_histogram_entropy(sample_labels, num_classes),
        "label_shares": [round(float(s), 4) for s in shares],
    }


def style_transfer_accuracy(classifier, grid, labels=None):
    """How often a classifier reads the label a style was decoded with.

    The supervised AAE's promise (section 4, figure 6): decoding one
    image's style with each label writes that label's digit. A style that
    still carries its own digit decodes to that digit whatever the label.

    Args:
        classifier: A `keras.Model` returning class probabilities
            (`judge_classifier`).
        grid: Images `(n, num_labels, h, w, c)`, row `i` image `i`'s style,
            column `j` decoded with `labels[j]`
            (`SupervisedAdversarialAutoencoder.transfer_style`).
        labels: The labels of the columns; defaults to `0..num_labels-1`.

    Returns:
        A dict: `style_transfer_accuracy` (share of all `n * num_labels`
        images read as their column's label) and `per_label` (that share
        for each column).

    Example:

    >>> # grid = model.transfer_style(test_images[:1000])
    >>> # style_transfer_accuracy(judge, grid)["style_transfer_accuracy"]
    """
    grid = np.asarray(grid)
    if grid.ndim != 5:
        raise ValueError(
            "`grid` must be (n, num_labels, height, width, channels). "
            f"Received: shape {grid.shape}"
        )
    n, columns = grid.shape[:2]
    labels = np.arange(columns) if labels is None else np.asarray(labels)
    _, read = classifier_features(
        classifier, grid.reshape((n * columns,) + grid.shape[2:])
    )
    hits = read.reshape(n, columns) == labels[None, :]
    return {
        "style_transfer_accuracy": float(hits.mean()),
        "per_label": [round(float(h), 4) for h in hits.mean(axis=0)],
    }
