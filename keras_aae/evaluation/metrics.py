"""Measures of an adversarial autoencoder on numpy arrays (no Keras).

Every function takes arrays (codes, images, samples, scores) and returns
plain Python numbers or dicts, so any model, including one from another
framework, is scored the same way, and results print as JSON.

- reconstruction: `reconstruction_errors` (MSE per pixel, BCE per image);
- prior match: `mmd`, `prior_match` (with the floor: the same statistic
  between two independent prior draws);
- latent probes: `knn_accuracy`, `logistic_regression_accuracy`,
  `latent_probes` (N labelled codes);
- clustering: `hungarian_accuracy`, `confident_example_accuracy` (the rule of
  the paper's section 6), `clustering_accuracy`;
- samples: `frechet_distance`, `label_histogram_entropy`;
- anomalies: `auroc` (`parzen.latent_log_density` scores codes).

Example:

>>> import numpy as np
>>> from keras_aae.evaluation import metrics
>>> rng = np.random.default_rng(0)
>>> same = metrics.mmd(rng.normal(size=(500, 4)), rng.normal(size=(500, 4)))
>>> shifted = metrics.mmd(rng.normal(size=(500, 4)) + 1, rng.normal(size=(500, 4)))
>>> same < 0.01 < shifted
True
"""

import numpy as np

from keras_aae._validation import check_positive_int
from keras_aae.data.labels import balanced_subset

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
    x, x_hat = (
        _flat(images).astype("float64"),
        _flat(reconstructions).astype("float64"),
    )
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


# ----------------------------------------------------------------- prior match


def squared_distances(a, b):
    """Squared Euclidean distances `(m, n)` between rows of `a` and `b`."""
    sq = (
        np.sum(a * a, axis=1)[:, None]
        + np.sum(b * b, axis=1)[None, :]
        - 2 * a @ b.T
    )
    return np.maximum(sq, 0.0)


def median_bandwidth(samples, max_samples=1000):
    """Median pairwise Euclidean distance of (up to `max_samples`) samples."""
    samples = np.asarray(samples, dtype="float64")[:max_samples]
    d = np.sqrt(squared_distances(samples, samples))
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
        (squared_distances(x, x), True),
        (squared_distances(y, y), True),
        (squared_distances(x, y), False),
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
        "moment_gap_floor": moment_gap(
            reference_samples, prior_mean, prior_std
        ),
        "mean": [round(float(v), 4) for v in code_mean],
        "std": [round(float(v), 4) for v in code_std],
    }


# -------------------------------------------------------------- latent probes


def knn_accuracy(
    train_codes, train_labels, test_codes, test_labels, k=1, chunk=1024
):
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
    return float(
        np.mean(np.concatenate(predictions) == np.asarray(test_labels))
    )


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
    classifier = make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=max_iter)
    )
    classifier.fit(np.asarray(train_codes), np.asarray(train_labels))
    return float(
        classifier.score(np.asarray(test_codes), np.asarray(test_labels))
    )


def latent_probes(
    train_codes,
    train_labels,
    test_codes,
    test_labels,
    num_labels=DEFAULT_PROBE_LABELS,
    seed=0,
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
        index = (
            np.arange(len(train_labels))
            if n is None
            else balanced_subset(train_labels, n, seed)
        )
        codes, labels = (
            np.asarray(train_codes)[index],
            np.asarray(train_labels)[index],
        )
        results["all" if n is None else str(n)] = {
            "knn1": knn_accuracy(codes, labels, test_codes, test_labels),
            "logistic": logistic_regression_accuracy(
                codes, labels, test_codes, test_labels
            ),
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
    _same_length(
        validation_probs,
        validation_labels,
        "validation_probs and validation_labels",
    )
    cluster_label = np.asarray(validation_labels)[
        np.argmax(validation_probs, axis=0)
    ]
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
    value = (
        np.sum(np.square(mean_a - mean_b))
        + np.trace(cov_a + cov_b)
        - 2 * trace_root
    )
    return float(max(value, 0.0))


def auroc(normal_scores, anomalous_scores):
    """Area under the ROC curve for telling anomalies by a higher score.

    0.5 is chance; 1.0 ranks every anomaly above every normal example.
    """
    from sklearn.metrics import roc_auc_score

    normal_scores = np.asarray(normal_scores, dtype="float64")
    anomalous_scores = np.asarray(anomalous_scores, dtype="float64")
    if not len(normal_scores) or not len(anomalous_scores):
        raise ValueError(
            "auroc needs at least one normal and one anomalous score."
        )
    truth = np.concatenate(
        [np.zeros(len(normal_scores)), np.ones(len(anomalous_scores))]
    )
    scores = np.concatenate([normal_scores, anomalous_scores])
    # -inf (outside a uniform prior's support) ranks as most anomalous.
    scores = np.nan_to_num(scores, posinf=np.finfo("float64").max)
    return float(roc_auc_score(truth, scores))


def swiss_roll_segments(codes, num_segments, scale, resolution=4096):
    """The segment of a swiss-roll prior nearest to each 2-D code.

    The roll of `keras_aae.priors.SwissRollPrior` at parameter `p` in
    [0, 1] has radius `p * scale` and angle `4 pi p`; segment `k` holds
    `p^2` in `[k / K, (k + 1) / K)`. A label-informed model's test codes
    are scored by it (paper section 2.3).

    Args:
        codes: Array `(n, 2)`.
        num_segments: Positive int, the prior's `num_components`.
        scale: The prior's `scale` (outer radius).
        resolution: Points of the roll searched per unit of `p`.

    Returns:
        Int array `(n,)` of segment indices.

    Example:

    >>> swiss_roll_segments([[0.0, 0.0], [3.0, 0.0]], 10, 3.0).tolist()
    [0, 9]
    """
    from sklearn.metrics import pairwise_distances_argmin

    codes = np.asarray(codes, dtype="float64")
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(
            f"Codes must have shape (n, 2). Received: shape {codes.shape}"
        )
    p = np.linspace(0.0, 1.0, resolution + 1)
    angle = 4 * np.pi * p
    roll = np.stack([np.cos(angle), np.sin(angle)], 1) * (p * scale)[:, None]
    segments = np.floor(
        p[pairwise_distances_argmin(codes, roll)] ** 2 * num_segments
    )
    return np.minimum(segments, num_segments - 1).astype("int64")
