"""Measures of a trained adversarial autoencoder.

Most functions take numpy arrays (codes, images, samples) and return plain
Python numbers or dicts, so any model, including one from another framework,
can be scored the same way, and results print as JSON. `evaluate` runs the
whole set on a `keras_aae` model and a dataset (`keras-aae evaluate`).

- reconstruction: `reconstruction_errors` (MSE per pixel, BCE per image);
- prior match: `mmd`, `prior_match` (with the floor: the same statistic
  between two independent prior draws);
- likelihood: `parzen_log_likelihood`, `parzen_evaluation` (the protocol of
  the paper's section 3, from Goodfellow et al. 2014);
- latent probes: `knn_accuracy`, `logistic_regression_accuracy`,
  `latent_probes` (N labelled codes);
- clustering: `hungarian_accuracy`, `confident_example_accuracy` (the rule of
  the paper's section 6), `clustering_accuracy`;
- samples: `judge_classifier`, `frechet_distance`, `sample_quality`,
  `label_histogram_entropy`;
- anomalies: `latent_log_density`, `anomaly_scores`, `auroc`.

Example:

>>> import numpy as np
>>> from keras_aae import evaluation
>>> rng = np.random.default_rng(0)
>>> same = evaluation.mmd(rng.normal(size=(500, 4)), rng.normal(size=(500, 4)))
>>> shifted = evaluation.mmd(rng.normal(size=(500, 4)) + 1, rng.normal(size=(500, 4)))
>>> same < 0.01 < shifted
True
"""

import hashlib
import os

import numpy as np

from keras_aae._validation import check_positive_int

PARZEN_SIGMAS = tuple(np.logspace(-1, 0, 10))
DEFAULT_PROBE_LABELS = (100, 1000, None)
_EPSILON = 1e-7


def _flat(images):
    images = np.asarray(images)
    return images.reshape(len(images), -1)


def _same_length(a, b, what):
    if len(a) != len(b):
        raise ValueError(
            f"{what} must have the same length. Received: lengths {len(a)} and "
            f"{len(b)}"
        )


# ------------------------------------------------------------- reconstruction


def reconstruction_errors(images, reconstructions):
    """Reconstruction error per image.

    Args:
        images: Array of images in [0, 1].
        reconstructions: Array of the same shape.

    Returns:
        A dict: `mse` (mean squared error per pixel, averaged over images)
        and `bce` (binary cross-entropy summed over an image's pixels, in
        nats, averaged over images), plus `per_image_mse`, an array.

    Raises:
        ValueError: If the shapes differ.
    """
    x, x_hat = _flat(images).astype("float64"), _flat(reconstructions).astype("float64")
    if x.shape != x_hat.shape:
        raise ValueError(
            "images and reconstructions must have the same shape. Received: "
            f"{np.shape(images)} and {np.shape(reconstructions)}"
        )
    per_image_mse = np.mean(np.square(x - x_hat), axis=1)
    clipped = np.clip(x_hat, _EPSILON, 1 - _EPSILON)
    bce = -np.sum(x * np.log(clipped) + (1 - x) * np.log(1 - clipped), axis=1)
    return {
        "mse": float(np.mean(per_image_mse)),
        "bce": float(np.mean(bce)),
        "per_image_mse": per_image_mse,
    }


def reconstruction_mse(model, images, batch_size=256):
    """Mean squared reconstruction error per pixel of a model's `predict`."""
    reconstructions = model.predict(images, batch_size=batch_size, verbose=0)
    return reconstruction_errors(images, reconstructions)["mse"]


# ----------------------------------------------------------------- prior match


def _squared_distances(a, b):
    sq = np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None, :] - 2 * a @ b.T
    return np.maximum(sq, 0.0)


def median_bandwidth(samples, max_samples=1000):
    """Median pairwise Euclidean distance of (up to `max_samples`) samples."""
    samples = np.asarray(samples, dtype="float64")[:max_samples]
    d = np.sqrt(_squared_distances(samples, samples))
    return float(np.median(d[np.triu_indices(len(d), k=1)]))


def mmd(x, y, bandwidths=None, max_samples=2000):
    """Squared maximum mean discrepancy with a sum of RBF kernels.

    The unbiased estimator (Gretton et al., 2012): near 0 (possibly slightly
    negative) when `x` and `y` come from one distribution.

    Args:
        x: Array `(n, d)`.
        y: Array `(m, d)`.
        bandwidths: RBF length scales; default: the median pairwise distance
            of `y` times 0.5, 1 and 2.
        max_samples: Only the first `max_samples` rows of each are used
            (the cost is quadratic).

    Returns:
        A float.
    """
    x = np.asarray(x, dtype="float64")[:max_samples]
    y = np.asarray(y, dtype="float64")[:max_samples]
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(
            f"x and y must be (n, d) arrays of one width. Received: {x.shape}, {y.shape}"
        )
    if bandwidths is None:
        scale = median_bandwidth(y)
        bandwidths = (0.5 * scale, scale, 2 * scale)
    total = 0.0
    pairs = (
        (_squared_distances(x, x), True),
        (_squared_distances(y, y), True),
        (_squared_distances(x, y), False),
    )
    weights = (1.0, 1.0, -2.0)
    for bandwidth in bandwidths:
        for (sq, same), weight in zip(pairs, weights, strict=True):
            k = np.exp(-sq / (2.0 * bandwidth**2))
            if same:
                n = len(k)
                total += weight * (k.sum() - np.trace(k)) / (n * (n - 1))
            else:
                total += weight * k.mean()
    return float(total)


def latent_moments(codes):
    """Per-dimension mean and standard deviation of codes `(n, d)`."""
    codes = np.asarray(codes, dtype="float64")
    return codes.mean(axis=0), codes.std(axis=0)


def moment_gap(codes, mean, stddev):
    """Largest per-dimension gap between the codes' moments and given ones.

    Args:
        codes: Array `(n, latent_dim)`.
        mean: Target mean per dimension (scalar or array).
        stddev: Target standard deviation per dimension.

    Returns:
        `max(|mean(codes) - mean|, |std(codes) - stddev|)` over dimensions.
    """
    code_mean, code_std = latent_moments(codes)
    return float(
        max(np.max(np.abs(code_mean - mean)), np.max(np.abs(code_std - stddev)))
    )


def prior_match(codes, prior_samples, reference_samples):
    """How well codes match the prior, next to the floor of the statistic.

    Args:
        codes: Encoded test images `(n, d)`.
        prior_samples: Prior draws `(n, d)`, compared with the codes.
        reference_samples: Independent prior draws `(n, d)`: compared with
            `prior_samples` they give each statistic's floor (its value for a
            perfect match at this sample size).

    Returns:
        A dict: `mmd` and `mmd_floor` (squared MMD, RBF kernels at 0.5, 1 and
        2 times the prior's median pairwise distance), `moment_gap` and
        `moment_gap_floor` (largest per-dimension gap of mean or standard
        deviation to the prior draws'), and the codes' per-dimension `mean`
        and `std` as lists.
    """
    prior_mean, prior_std = latent_moments(prior_samples)
    code_mean, code_std = latent_moments(codes)
    scale = median_bandwidth(prior_samples)
    bandwidths = (0.5 * scale, scale, 2 * scale)
    return {
        "mmd": mmd(codes, prior_samples, bandwidths),
        "mmd_floor": mmd(reference_samples, prior_samples, bandwidths),
        "moment_gap": moment_gap(codes, prior_mean, prior_std),
        "moment_gap_floor": moment_gap(reference_samples, prior_mean, prior_std),
        "mean": [round(float(v), 4) for v in code_mean],
        "std": [round(float(v), 4) for v in code_std],
    }


# -------------------------------------------------------------------- Parzen


def _parzen_from_distances(squared, sigma, dim):
    """Log-likelihoods from squared distances `(m, n)` to `n` kernel centres."""
    scaled = -squared / (2.0 * sigma**2)
    top = scaled.max(axis=1, keepdims=True)
    log_mean = np.log(np.mean(np.exp(scaled - top), axis=1)) + top[:, 0]
    return log_mean - 0.5 * dim * np.log(2 * np.pi * sigma**2)


def _chunked_parzen(samples, images, sigmas, chunk):
    samples = _flat(samples).astype("float64")
    images = _flat(images).astype("float64")
    if samples.shape[1] != images.shape[1]:
        raise ValueError(
            "samples and images must have the same size per example. Received: "
            f"{samples.shape[1]} and {images.shape[1]}"
        )
    out = np.empty((len(sigmas), len(images)))
    for start in range(0, len(images), chunk):
        squared = _squared_distances(images[start : start + chunk], samples)
        for i, sigma in enumerate(sigmas):
            out[i, start : start + chunk] = _parzen_from_distances(
                squared, sigma, samples.shape[1]
            )
    return out


def parzen_log_likelihood(samples, images, sigma, chunk=500):
    """Log-likelihood of images under a Gaussian Parzen window on samples.

    `log p(x) = log mean_i N(x; samples_i, sigma^2 I)`, in nats.

    Args:
        samples: Model samples (kernel centres), any shape `(n, ...)`.
        images: Images to score, `(m, ...)` with the same size per example.
        sigma: Positive float, the kernel's standard deviation.
        chunk: Rows of `images` scored at once (bounds memory).

    Returns:
        A float64 array `(m,)`.
    """
    if not sigma > 0:
        raise ValueError(f"`sigma` must be positive. Received: sigma={sigma}")
    return _chunked_parzen(samples, images, (float(sigma),), chunk)[0]


def parzen_evaluation(samples, validation_images, test_images, sigmas=PARZEN_SIGMAS):
    """The paper's Parzen-window protocol (section 3, table 1).

    The kernel width is the one of `sigmas` (default `logspace(-1, 0, 10)`)
    that gives the validation images the highest mean log-likelihood; the
    test images are then scored with it.

    Args:
        samples: Model samples, 10,000 in the paper.
        validation_images: Images held out of training (1,000 in the paper).
        test_images: Test images (10,000 for MNIST).
        sigmas: Candidate kernel widths.

    Returns:
        A dict: `mean` and `stderr` (standard error of the mean) of the test
        log-likelihoods in nats, the chosen `sigma`, and
        `validation_by_sigma`.
    """
    sigmas = tuple(float(s) for s in sigmas)
    validation = _chunked_parzen(samples, validation_images, sigmas, 500).mean(axis=1)
    best = sigmas[int(np.argmax(validation))]
    test = parzen_log_likelihood(samples, test_images, best)
    return {
        "mean": float(test.mean()),
        "stderr": float(test.std(ddof=1) / np.sqrt(len(test))),
        "sigma": best,
        "validation_by_sigma": {f"{s:.4f}": float(v) for s, v in zip(sigmas, validation, strict=True)},
    }


# -------------------------------------------------------------- latent probes


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
    _same_length(train_codes, train_labels, "train_codes and train_labels")
    k = min(k, len(train_codes))
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


def logistic_regression_accuracy(
    train_codes, train_labels, test_codes, test_labels, max_iter=1000
):
    """Test accuracy of a multinomial logistic regression fitted on codes.

    Codes are standardized with the training codes' statistics first.

    Returns:
        A float in [0, 1].
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    _same_length(train_codes, train_labels, "train_codes and train_labels")
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
    classifier.fit(np.asarray(train_codes), np.asarray(train_labels))
    return float(classifier.score(np.asarray(test_codes), np.asarray(test_labels)))


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


def latent_probes(
    train_codes, train_labels, test_codes, test_labels,
    num_labels=DEFAULT_PROBE_LABELS, seed=0,
):
    """1-NN and logistic-regression accuracy of codes with N labels.

    Args:
        train_codes, train_labels: Codes and labels to pick labelled ones from.
        test_codes, test_labels: Codes and labels to classify.
        num_labels: Label budgets; `None` means every training label.
        seed: Int seed of the balanced label choice.

    Returns:
        A dict keyed by budget (`"100"`, `"1000"`, `"all"`), each
        `{"knn1": ..., "logistic": ...}`.
    """
    results = {}
    for n in num_labels:
        index = np.arange(len(train_labels)) if n is None else balanced_subset(
            train_labels, n, seed
        )
        codes, labels = np.asarray(train_codes)[index], np.asarray(train_labels)[index]
        results["all" if n is None else str(n)] = {
            "knn1": knn_accuracy(codes, labels, test_codes, test_labels),
            "logistic": logistic_regression_accuracy(codes, labels, test_codes, test_labels),
        }
    return results


# ---------------------------------------------------------------- clustering


def hungarian_accuracy(clusters, labels):
    """Accuracy after the best one-to-one matching of clusters to labels.

    For as many clusters as classes (Hungarian algorithm on the confusion
    matrix). A relabelled perfect clustering scores 1.0.

    Returns:
        A float in [0, 1].
    """
    from scipy.optimize import linear_sum_assignment

    clusters, labels = np.asarray(clusters), np.asarray(labels)
    _same_length(clusters, labels, "clusters and labels")
    size = max(clusters.max(), labels.max()) + 1
    confusion = np.zeros((size, size), dtype=np.int64)
    np.add.at(confusion, (clusters, labels), 1)
    rows, cols = linear_sum_assignment(-confusion)
    return float(confusion[rows, cols].sum() / len(labels))


def confident_example_accuracy(
    validation_probs, validation_labels, test_clusters, test_labels
):
    """The clustering rule of the paper's section 6.

    Each cluster `i` takes the label of the validation example `x` that
    maximizes `q(y_i | x)`; every test example in cluster `i` is predicted
    that label.

    Args:
        validation_probs: Cluster probabilities of validation examples `(n, K)`.
        validation_labels: Their labels `(n,)`.
        test_clusters: Cluster index of each test example `(m,)`.
        test_labels: True test labels `(m,)`.

    Returns:
        A float in [0, 1].
    """
    validation_probs = np.asarray(validation_probs)
    _same_length(validation_probs, validation_labels, "validation_probs and validation_labels")
    cluster_label = np.asarray(validation_labels)[np.argmax(validation_probs, axis=0)]
    predictions = cluster_label[np.asarray(test_clusters)]
    return float(np.mean(predictions == np.asarray(test_labels)))


def clustering_accuracy(
    test_clusters, test_labels, validation_probs=None, validation_labels=None
):
    """Clustering accuracy: Hungarian matching or the paper's rule.

    With validation cluster probabilities, the paper's rule
    (`confident_example_accuracy`); otherwise the clusters must be at most as
    many as the classes and are matched one to one (`hungarian_accuracy`).

    Raises:
        ValueError: With more clusters than classes and no validation data.
    """
    if validation_probs is not None:
        return confident_example_accuracy(
            validation_probs, validation_labels, test_clusters, test_labels
        )
    num_clusters = int(np.max(test_clusters)) + 1
    num_classes = int(np.max(test_labels)) + 1
    if num_clusters > num_classes:
        raise ValueError(
            "With more clusters than classes, pass validation_probs and "
            "validation_labels (the paper's rule). Received: "
            f"{num_clusters} clusters for {num_classes} classes"
        )
    return hungarian_accuracy(test_clusters, test_labels)


# ------------------------------------------------------------------- samples


def label_histogram_entropy(predicted_labels, num_classes=10):
    """Entropy in nats of the histogram of predicted labels (mode coverage).

    The maximum, `log(num_classes)`, means every class is predicted equally
    often; a generator that covers few modes scores low.
    """
    counts = np.bincount(np.asarray(predicted_labels), minlength=num_classes)
    shares = counts / counts.sum()
    shares = shares[shares > 0]
    return float(-np.sum(shares * np.log(shares)))


def frechet_distance(features_a, features_b):
    """Frechet distance between Gaussians fitted to two feature sets.

    `|mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))` (Heusel et al.,
    2017), here on the features of `judge_classifier` rather than Inception.
    """
    a = np.asarray(features_a, dtype="float64")
    b = np.asarray(features_b, dtype="float64")
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr((C_a C_b)^(1/2)) = tr((S C_b S)^(1/2)) with S = C_a^(1/2): symmetric,
    # so eigenvalues stay real even when ReLU features make C singular.
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    inner = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sum(np.sqrt(np.clip(inner, 0, None)))
    value = np.sum(np.square(mean_a - mean_b)) + np.trace(cov_a + cov_b) - 2 * trace_root
    return float(max(value, 0.0))


def _classifier_layers(input_shape, num_classes):
    import keras

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
        keras.layers.Dense(num_classes, activation="softmax", name="probabilities"),
    ]


def train_digit_classifier(
    images, labels, num_classes=10, epochs=3, seed=0, cache_path=None
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

    Returns:
        A `keras.Model` returning class probabilities.
    """
    import keras

    if cache_path and os.path.exists(cache_path):
        return keras.models.load_model(cache_path)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        _classifier_layers(images.shape[1:], num_classes), name="judge_classifier"
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(images, labels, epochs=epochs, batch_size=128, verbose=0)
    if cache_path:
        from keras_aae._io import atomic_path

        os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
        with atomic_path(cache_path) as tmp:
            model.save(tmp)
    return model


def default_cache_dir():
    """`$KERAS_AAE_CACHE`, else `~/.cache/keras_aae`."""
    return os.environ.get(
        "KERAS_AAE_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "keras_aae")
    )


def judge_classifier(images, labels, dataset_name, cache_dir=None, seed=0):
    """The dataset's judging classifier, trained once and cached on disk.

    The cache file name carries the dataset, the seed and a hash of the
    training labels, so a different training set never reuses it.

    Returns:
        A `keras.Model` returning class probabilities.
    """
    digest = hashlib.sha256(np.asarray(labels).tobytes()).hexdigest()[:12]
    name = f"judge-{dataset_name}-seed{seed}-{len(labels)}-{digest}.keras"
    path = os.path.join(cache_dir or default_cache_dir(), name)
    num_classes = int(np.max(labels)) + 1
    return train_digit_classifier(
        images, labels, num_classes=num_classes, seed=seed, cache_path=path
    )


def classifier_features(classifier, images, batch_size=500):
    """Features (the `features` layer) and predicted labels of images."""
    import keras

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
    shares = np.bincount(sample_labels, minlength=num_classes) / len(sample_labels)
    return {
        "frechet_distance": frechet_distance(sample_features, reference_features),
        "frechet_distance_floor": frechet_distance(
            reference_features[:half], reference_features[half:]
        ),
        "label_entropy": label_histogram_entropy(sample_labels, num_classes),
        "label_shares": [round(float(s), 4) for s in shares],
    }


# ------------------------------------------------------------------ anomalies


def latent_log_density(prior, codes, num_prior_samples=10000, seed=0):
    """Log density of codes under a prior.

    The prior's closed form when it has one (`Prior.log_prob`), otherwise a
    Gaussian kernel density estimate on prior draws (Scott's bandwidth).

    Returns:
        A float64 array `(n,)`.
    """
    try:
        return prior.log_prob(codes)
    except NotImplementedError:
        draws = np.asarray(prior.sample(num_prior_samples, seed=seed), dtype="float64")
        d = draws.shape[1]
        bandwidth = float(np.mean(draws.std(axis=0))) * num_prior_samples ** (-1.0 / (d + 4))
        return parzen_log_likelihood(draws, codes, max(bandwidth, 1e-3))


def anomaly_scores(model, images, batch_size=256):
    """Anomaly scores of images: higher means more anomalous.

    Returns:
        A dict of float64 arrays `(n,)`: `reconstruction` (the per-image MSE)
        and `latent` (minus the prior's log density at the image's code).
    """
    encode = lambda x: model.encode(x, batch_size=batch_size)  # noqa: E731
    decode = lambda z: model.decode(z, batch_size=batch_size)  # noqa: E731
    return _codec_anomaly_scores(encode, decode, model.prior, images)


def auroc(normal_scores, anomalous_scores):
    """Area under the ROC curve for telling anomalies by a higher score.

    0.5 is chance; 1.0 ranks every anomaly above every normal example.
    """
    from sklearn.metrics import roc_auc_score

    normal_scores = np.asarray(normal_scores, dtype="float64")
    anomalous_scores = np.asarray(anomalous_scores, dtype="float64")
    if not len(normal_scores) or not len(anomalous_scores):
        raise ValueError("auroc needs at least one normal and one anomalous score.")
    truth = np.concatenate([np.zeros(len(normal_scores)), np.ones(len(anomalous_scores))])
    scores = np.concatenate([normal_scores, anomalous_scores])
    # -inf (outside a uniform prior's support) ranks as most anomalous.
    scores = np.nan_to_num(scores, posinf=np.finfo("float64").max)
    return float(roc_auc_score(truth, scores))


# -------------------------------------------------------------- all together


def _kmeans_clusters(codes, num_clusters, seed):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=num_clusters, n_init=4, random_state=seed).fit_predict(codes)


def evaluate(
    model,
    dataset="mnist",
    data_dir=None,
    num_samples=10000,
    probe_labels=DEFAULT_PROBE_LABELS,
    parzen=True,
    anomaly_dataset=None,
    classifier_cache_dir=None,
    seed=0,
    anomaly_labels=None,
):
    """Every measure of this module for a model on a dataset.

    The validation images are the ones `keras_aae.data.load_splits` holds out
    of training (the CLI trains without them).

    Args:
        model: A trained `keras_aae.AdversarialAutoencoder`.
        dataset: Dataset name, as for `keras_aae.data.load_splits`.
        data_dir: TFDS data folder (default `$TFDS_DATA_DIR`).
        num_samples: Prior samples decoded for Parzen and sample quality.
        probe_labels: Label budgets of the latent probes.
        parzen: Whether to run the Parzen protocol (a few seconds per 1,000
            test images).
        anomaly_dataset: Optional second dataset whose test images are the
            anomalies for the AUROC figures (e.g. `"fashion_mnist"`).
        classifier_cache_dir: Where the judging classifier is cached.
        seed: Int seed of prior draws and label choices.
        anomaly_labels: Optional classes held out of training (`keras-aae
            train --holdout-labels`): their test images are the anomalies,
            the other test images the normal ones.

    Returns:
        A dict of plain numbers and lists (JSON-ready); variants add their
        own figures under `"variant"` (see `variant_figures`).

    Raises:
        ValueError: For a `SupervisedAdversarialAutoencoder` (its decoder
            needs labels; see `variant_figures`), or both anomaly options.

    Example:

    >>> # evaluation.evaluate(model, "mnist", anomaly_dataset="fashion_mnist")
    """
    from keras_aae import data
    from keras_aae import variants

    if isinstance(model, variants.SupervisedAdversarialAutoencoder):
        raise ValueError(
            f"evaluate scores models whose decoder reads the encoder's codes; "
            f"a {type(model).__name__} decoder also reads labels. Use "
            "evaluation.variant_figures. Received: model of type "
            f"{type(model).__name__}"
        )
    if anomaly_dataset and anomaly_labels:
        raise ValueError(
            "Give anomalies as a dataset or as held-out labels, not both. "
            f"Received: anomaly_dataset={anomaly_dataset!r}, "
            f"anomaly_labels={anomaly_labels!r}"
        )
    splits = data.load_splits(dataset, data_dir=data_dir)
    anomalies = None
    if anomaly_dataset:
        anomalies = data.load_arrays(anomaly_dataset, "test", data_dir=data_dir)[0]
    if anomaly_labels:
        splits, anomalies = _hold_out(splits, anomaly_labels)
    result = evaluate_codec(
        model.encode, model.decode, model.code_prior, splits, dataset,
        num_samples=num_samples, probe_labels=probe_labels, parzen=parzen,
        anomalies=anomalies, classifier_cache_dir=classifier_cache_dir, seed=seed,
    )
    if anomaly_dataset:
        result["anomaly_auroc"] = {"against": anomaly_dataset, **result["anomaly_auroc"]}
    if anomaly_labels:
        result["anomaly_auroc"] = {
            "held_out_labels": [int(c) for c in anomaly_labels],
            **result["anomaly_auroc"],
        }
    figures = variant_figures(model, splits)
    if figures:
        result["variant"] = figures
    return result


def _hold_out(splits, labels):
    """Test images of `labels` become anomalies; they leave the normal split."""
    x_test, y_test = splits["test"]
    odd = np.isin(y_test, np.asarray(labels))
    if not odd.any() or odd.all():
        raise ValueError(
            "`anomaly_labels` must name some, not all, of the test classes. "
            f"Received: anomaly_labels={list(labels)!r}"
        )
    kept = dict(splits)
    for name in ("train", "validation"):
        x, y = splits[name]
        keep = ~np.isin(y, np.asarray(labels))
        kept[name] = (x[keep], y[keep])
    kept["test"] = (x_test[~odd], y_test[~odd])
    return kept, x_test[odd]


def held_out_class_auroc(model, images, labels, held_out):
    """AUROC of anomaly scores for one held-out class (seed 001's use case).

    The model was trained without class `held_out`; its test images are the
    anomalies, every other test image is normal.

    Args:
        model: A trained `AdversarialAutoencoder`.
        images: Test images.
        labels: Their labels.
        held_out: The class left out of training.

    Returns:
        A dict `{"reconstruction": auroc, "latent": auroc}`.
    """
    labels = np.asarray(labels)
    scores = anomaly_scores(model, images)
    odd = labels == held_out
    return {name: auroc(s[~odd], s[odd]) for name, s in scores.items()}


def variant_figures(model, splits):
    """The figures the paper reports for a model's variant.

    - semi-supervised and dimensionality reduction (sections 5, 7): the test
      error of `classify`;
    - clustering (section 6): the test error of the paper's rule (each
      cluster takes the label of the validation image most confidently
      assigned to it) and the number of clusters in use;
    - label-informed (section 2.3): how often a test code lies in its own
      label's prior component;
    - supervised (section 4): the reconstruction MSE given true labels.

    Args:
        model: A trained model of `keras_aae.variants` (others give `{}`).
        splits: Dict of `(images, labels)` with `"validation"` and `"test"`.

    Returns:
        A dict of plain numbers (JSON-ready), empty for the unsupervised AAE.
    """
    from keras_aae import variants

    (x_val, y_val), (x_test, y_test) = splits["validation"], splits["test"]
    if isinstance(model, variants.ClusteringAdversarialAutoencoder):
        clusters = model.cluster(x_test)
        accuracy = clustering_accuracy(
            clusters, y_test, model.predict_classes(x_val), y_val
        )
        return {
            "clustering_error": 1.0 - accuracy,
            "clusters_used": int(len(np.unique(clusters))),
            "num_clusters": model.num_clusters,
        }
    if isinstance(model, variants.SemiSupervisedAdversarialAutoencoder):
        return {"test_error": float(np.mean(model.classify(x_test) != y_test))}
    if isinstance(model, variants.LabelInformedAdversarialAutoencoder):
        component = model.prior.component_log_probs(model.encode(x_test)) if hasattr(
            model.prior, "component_log_probs"
        ) else None
        if component is None:
            return {}
        return {"own_component_rate": float(np.mean(component.argmax(1) == y_test))}
    if isinstance(model, variants.SupervisedAdversarialAutoencoder):
        errors = reconstruction_errors(x_test, model.reconstruct(x_test, y_test))
        return {"reconstruction_mse_given_labels": errors["mse"]}
    return {}


def latent_points(model, images):
    """2-D points to plot for each image: the representation of section 7,
    else the first two entries of the style code (the whole code when it is
    the style)."""
    from keras_aae import variants

    if isinstance(model, variants.DimensionalityReductionAdversarialAutoencoder):
        points = model.embed(images)
    else:
        points = model.encode(images)
        if isinstance(model, variants.SemiSupervisedAdversarialAutoencoder):
            points = points[:, model.num_classes :]
    if points.shape[1] == 1:
        points = np.concatenate([points, np.zeros_like(points)], axis=1)
    return points[:, :2]


def evaluate_codec(
    encode,
    decode,
    prior,
    splits,
    dataset,
    num_samples=10000,
    probe_labels=DEFAULT_PROBE_LABELS,
    parzen=True,
    anomalies=None,
    classifier_cache_dir=None,
    seed=0,
):
    """`evaluate` for any encoder and decoder given as functions.

    Scores models from other frameworks exactly like keras-aae's
    (`benchmarks/compare.py` scores the seed tutorial's PyTorch model so).

    Args:
        encode: Function from images to codes (numpy in, numpy out).
        decode: Function from codes to images.
        prior: A `keras_aae.priors.Prior`, the distribution codes should match
            and samples are decoded from.
        splits: Dict of `(images, labels)` for `"train"`, `"validation"` and
            `"test"`, as `keras_aae.data.load_splits` returns.
        dataset: Name of the dataset (for the judging classifier's cache).
        anomalies: Optional images scored as anomalies against the test set.
        num_samples, probe_labels, parzen, classifier_cache_dir, seed: As
            for `evaluate`.

    Returns:
        A dict of plain numbers and lists (JSON-ready).
    """
    (x_train, y_train), (x_val, _), (x_test, y_test) = (
        splits["train"], splits["validation"], splits["test"]
    )
    train_codes, test_codes = np.asarray(encode(x_train)), np.asarray(encode(x_test))
    errors = reconstruction_errors(x_test, decode(test_codes))
    prior_draws = np.asarray(prior.sample(2 * len(test_codes), seed=seed))
    samples = np.asarray(decode(np.asarray(prior.sample(num_samples, seed=seed + 1))))
    num_classes = int(np.max(y_train)) + 1
    result = {
        "dataset": dataset,
        "reconstruction": {"mse": errors["mse"], "bce": errors["bce"]},
        "prior_match": prior_match(
            test_codes, prior_draws[: len(test_codes)], prior_draws[len(test_codes) :]
        ),
        "latent_probes": latent_probes(
            train_codes, y_train, test_codes, y_test, probe_labels, seed
        ),
        "kmeans_clustering_accuracy": hungarian_accuracy(
            _kmeans_clusters(test_codes, num_classes, seed), y_test
        ),
    }
    if parzen:
        result["parzen"] = parzen_evaluation(samples, x_val, x_test)
    classifier = judge_classifier(x_train, y_train, dataset, classifier_cache_dir, seed)
    result["sample_quality"] = sample_quality(classifier, samples, x_test)
    if anomalies is not None:
        normal = _codec_anomaly_scores(encode, decode, prior, x_test, test_codes)
        odd = _codec_anomaly_scores(encode, decode, prior, anomalies)
        result["anomaly_auroc"] = {name: auroc(normal[name], odd[name]) for name in normal}
    return result


def _codec_anomaly_scores(encode, decode, prior, images, codes=None):
    codes = np.asarray(encode(images)) if codes is None else codes
    return {
        "reconstruction": reconstruction_errors(images, decode(codes))["per_image_mse"],
        "latent": -latent_log_density(prior, codes),
    }
