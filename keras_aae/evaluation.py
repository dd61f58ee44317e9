"""Measures of a trained adversarial autoencoder.

All functions take numpy arrays (or a model and arrays) and return plain
Python numbers or dicts, so results print as JSON.

Example:

>>> import numpy as np
>>> from keras_aae import evaluation
>>> codes = np.random.default_rng(0).normal(size=(1000, 4))
>>> evaluation.moment_gap(codes, mean=0.0, stddev=1.0) < 0.15
True
"""

import numpy as np

from keras_aae._validation import check_positive_int


def reconstruction_mse(model, images, batch_size=256):
    """Returns the mean squared reconstruction error per pixel.

    Args:
        model: An `AdversarialAutoencoder` (anything whose `predict` returns
            reconstructions).
        images: Array of images in the model's input shape.
        batch_size: Prediction batch size.

    Returns:
        A float.
    """
    reconstructions = model.predict(images, batch_size=batch_size, verbose=0)
    return float(np.mean(np.square(reconstructions - images)))


def latent_moments(codes):
    """Returns the per-dimension mean and standard deviation of codes.

    Args:
        codes: Array `(n, latent_dim)`.

    Returns:
        A tuple of two arrays `(mean, std)`, each of shape `(latent_dim,)`.
    """
    codes = np.asarray(codes, dtype="float64")
    return codes.mean(axis=0), codes.std(axis=0)


def moment_gap(codes, mean, stddev):
    """Largest per-dimension gap between the codes' moments and the prior's.

    Args:
        codes: Array `(n, latent_dim)`.
        mean: The prior's mean per dimension (scalar or array).
        stddev: The prior's standard deviation per dimension.

    Returns:
        A float: `max(|mean(codes) - mean|, |std(codes) - stddev|)` over all
        dimensions.
    """
    code_mean, code_std = latent_moments(codes)
    return float(
        max(np.max(np.abs(code_mean - mean)), np.max(np.abs(code_std - stddev)))
    )


def knn_accuracy(train_codes, train_labels, test_codes, test_labels, k=1, chunk=1024):
    """Accuracy of a k-nearest-neighbour classifier on codes (Euclidean).

    Args:
        train_codes: Reference codes `(n, d)`.
        train_labels: Their int labels `(n,)`.
        test_codes: Codes to classify `(m, d)`.
        test_labels: Their true labels `(m,)`.
        k: Positive int, number of neighbours (majority vote).
        chunk: Rows of `test_codes` compared at once (bounds memory).

    Returns:
        A float in [0, 1].
    """
    k = check_positive_int(k, "k")
    train_codes = np.asarray(train_codes, dtype="float32")
    test_codes = np.asarray(test_codes, dtype="float32")
    train_labels = np.asarray(train_labels)
    train_sq = np.sum(np.square(train_codes), axis=1)
    predictions = []
    for start in range(0, len(test_codes), chunk):
        block = test_codes[start : start + chunk]
        # |a-b|^2 = |a|^2 - 2ab + |b|^2; |a|^2 is constant per row.
        distances = train_sq[None, :] - 2.0 * block @ train_codes.T
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
        votes = train_labels[nearest]
        predictions.append(
            np.array([np.bincount(row).argmax() for row in votes])
            if k > 1
            else votes[:, 0]
        )
    return float(np.mean(np.concatenate(predictions) == np.asarray(test_labels)))


def label_histogram_entropy(predicted_labels, num_classes=10):
    """Entropy in nats of the histogram of predicted labels (mode coverage).

    The maximum, `log(num_classes)`, means every class is predicted equally
    often; a generator that covers few modes scores low.

    Args:
        predicted_labels: Int array `(n,)`.
        num_classes: Number of classes.

    Returns:
        A float in `[0, log(num_classes)]`.
    """
    counts = np.bincount(np.asarray(predicted_labels), minlength=num_classes)
    shares = counts / counts.sum()
    shares = shares[shares > 0]
    return float(-np.sum(shares * np.log(shares)))


def train_digit_classifier(
    images, labels, num_classes=10, epochs=3, seed=0, cache_path=None
):
    """Trains a small convolutional classifier used to judge samples.

    Args:
        images: Training images `(n, h, w, c)` in [0, 1].
        labels: Int labels `(n,)`.
        num_classes: Number of classes.
        epochs: Training epochs.
        seed: Int seed for weights and shuffling.
        cache_path: Optional `.keras` path; a classifier saved there is
            loaded instead of trained, and a trained one is saved there.

    Returns:
        A compiled `keras.Model` returning class probabilities.
    """
    import os

    import keras

    if cache_path and os.path.exists(cache_path):
        return keras.models.load_model(cache_path)

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(images.shape[1:]),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(num_classes, activation="softmax"),
        ],
        name="digit_classifier",
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(images, labels, epochs=epochs, batch_size=128, verbose=0)
    if cache_path:
        from keras_aae._io import atomic_path

        with atomic_path(cache_path) as tmp:
            model.save(tmp)
    return model
