"""Every measure of a model on a dataset, as one JSON-ready dict.

`evaluate` scores a `keras_aae` model (`keras-aae evaluate`);
`evaluate_codec` scores any encoder and decoder given as functions, so a
model from another framework is scored by the same code.
"""

import keras
import numpy as np

from keras_aae import data
from keras_aae import models
from keras_aae import scores
from keras_aae.evaluation import judge
from keras_aae.evaluation import metrics
from keras_aae.evaluation.figures import variant_figures
from keras_aae.evaluation.parzen import parzen_evaluation


def reconstruction_mse(model, images, batch_size=256):
    """Mean squared reconstruction error per pixel of a model's `predict`."""
    reconstructions = model.predict(images, batch_size=batch_size, verbose=0)
    return metrics.reconstruction_errors(images, reconstructions)["mse"]


def anomaly_scores(model, images, normal_images, batch_size=256):
    """Every `keras_aae.scores` score of images, higher meaning more
    anomalous, each fitted on `normal_images` (the training images).

    Args:
        model: A trained model that reconstructs images alone.
        images: Images to score.
        normal_images: Normal images the scores are fitted on (up to
            `keras_aae.scores.MAX_FIT_IMAGES` of them, evenly spaced).
        batch_size: Positive int.

    Returns:
        A dict of float arrays `(n,)` by score name (`keras_aae.scores.SCORES`:
        `reconstruction`, `code_density`, `combined`).

    Example:

    >>> # anomaly_scores(model, x_test, x_train)["combined"]
    """
    fitted = fit_scores(
        *model.codes_and_errors(
            scores.fitting_sample(normal_images), batch_size
        )
    )
    codes, errors = model.codes_and_errors(images, batch_size)
    return {name: np.asarray(s(codes, errors)) for name, s in fitted.items()}


def fit_scores(codes, errors):
    """Each `keras_aae.scores` score, fitted on normal images' codes and
    per-image reconstruction errors; a dict by name."""
    return {name: scores.get(name).fit(codes, errors) for name in scores.SCORES}


def _kmeans_clusters(codes, num_clusters, seed):
    from sklearn.cluster import KMeans

    return KMeans(
        n_clusters=num_clusters, n_init=4, random_state=seed
    ).fit_predict(codes)


def domain_adaptation_report(model, dataset, target_dataset, data_dir=None):
    """Test accuracy of a domain adaptation model on both domains.

    Args:
        model: A trained `DomainAdaptationAdversarialAutoencoder`.
        dataset: The source dataset's name (it was trained on its labels).
        target_dataset: The target dataset's name, resized to the source's
            images as in training (`keras_aae.data.load_domain_splits`).
        data_dir: TFDS data folder (default `$TFDS_DATA_DIR`).

    Returns:
        A dict: the names, `source_test_accuracy`, `target_test_accuracy`.
    """
    domains = data.load_domain_splits(dataset, target_dataset, data_dir)
    result = {"source_dataset": dataset, "target_dataset": target_dataset}
    for key in ("source", "target"):
        x_test, y_test = domains[key]["test"]
        result[f"{key}_test_accuracy"] = float(
            np.mean(model.classify(x_test) == y_test)
        )
    return result


def evaluate(
    model,
    dataset="mnist",
    data_dir=None,
    num_samples=10000,
    probe_labels=metrics.DEFAULT_PROBE_LABELS,
    parzen=True,
    sample_quality=True,
    anomaly_dataset=None,
    classifier_cache_dir=None,
    seed=0,
    anomaly_labels=None,
    target_dataset=None,
    verbose=1,
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
        sample_quality: Whether to score decoded prior samples with the
            judge classifier (`keras_aae.evaluation.sample_quality`), which
            is trained on the dataset's first use (about a minute for MNIST
            on a CPU) and cached.
        anomaly_dataset: Optional second dataset whose test images are the
            anomalies for the AUROC figures (e.g. `"fashion_mnist"`).
        classifier_cache_dir: Where the judging classifier is cached.
        seed: Int seed of prior draws and label choices.
        anomaly_labels: Optional classes held out of training (`keras-aae
            train --holdout-labels`): their test images are the anomalies,
            the other test images the normal ones.
        target_dataset: For a domain adaptation model (and only for one):
            the target domain; the result is `domain_adaptation_report`.
        verbose: 1 shows progress bars (Keras' `Progbar`) on the long
            parts: the Parzen estimate, the judge classifier's training, the
            latent probes; 0 is silent.

    Returns:
        A dict of plain numbers and lists (JSON-ready); variants add their
        own figures under `"variant"` (see `variant_figures`).

    Raises:
        ValueError: For a `SupervisedAdversarialAutoencoder` (its decoder
            needs labels; see `variant_figures`), or both anomaly options.

    Example:

    >>> # evaluation.evaluate(model, "mnist", anomaly_dataset="fashion_mnist")
    """
    adapted = isinstance(model, models.DomainAdaptationAdversarialAutoencoder)
    if adapted != bool(target_dataset):
        raise ValueError(
            "A domain adaptation model is scored on its target dataset, and "
            "only such a model takes one. Received: model of type "
            f"{type(model).__name__}, target_dataset={target_dataset!r}"
        )
    if adapted:
        return domain_adaptation_report(
            model, dataset, target_dataset, data_dir
        )
    if isinstance(model, models.SupervisedAdversarialAutoencoder):
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
        anomalies = data.load_arrays(
            anomaly_dataset, "test", data_dir=data_dir
        )[0]
    if anomaly_labels:
        splits, anomalies = data.hold_out(splits, anomaly_labels)
    result = evaluate_codec(
        model.encode,
        model.decode,
        model.code_prior,
        splits,
        dataset,
        num_samples=num_samples,
        probe_labels=probe_labels,
        parzen=parzen,
        sample_quality=sample_quality,
        anomalies=anomalies,
        classifier_cache_dir=classifier_cache_dir,
        seed=seed,
        verbose=verbose,
    )
    if anomaly_dataset:
        result["anomaly_auroc"] = {
            "against": anomaly_dataset,
            **result["anomaly_auroc"],
        }
    if anomaly_labels:
        result["anomaly_auroc"] = {
            "held_out_labels": [int(c) for c in anomaly_labels],
            **result["anomaly_auroc"],
        }
    figures = variant_figures(model, splits)
    if figures:
        result["variant"] = figures
    return result


def held_out_class_auroc(model, images, labels, held_out, train_images):
    """AUROC of anomaly scores for one held-out class (seed 001's use case).

    The model was trained without class `held_out`; its test images are the
    anomalies, every other test image is normal.

    Args:
        model: A trained `AdversarialAutoencoder`.
        images: Test images.
        labels: Their labels.
        held_out: The class left out of training.
        train_images: The images it was trained on (the scores are fitted
            on them).

    Returns:
        A dict of AUROC by score name (`anomaly_scores`).
    """
    (normal, _), (odd, _) = data.split_classes(images, labels, [held_out])
    return _score_auroc(model, normal, odd, train_images)


def one_class_auroc(model, images, labels, normal_class, train_images):
    """AUROC of anomaly scores for a model trained on one class only.

    The one-class protocol of AnoGAN (Schlegl et al., 2017) and OCGAN
    (Perera et al., 2019): the test images of `normal_class` are normal,
    those of every other class are the anomalies.

    Args:
        model: A trained `AdversarialAutoencoder`.
        images: Test images.
        labels: Their labels.
        normal_class: The class the model was trained on.
        train_images: The images it was trained on (the scores are fitted
            on them).

    Returns:
        A dict of AUROC by score name (`anomaly_scores`).

    Example:

    >>> # one_class_auroc(model, x_test, y_test, 3, x_train[y_train == 3])
    """
    (odd, _), (normal, _) = data.split_classes(images, labels, [normal_class])
    return _score_auroc(model, normal, odd, train_images)


def _score_auroc(model, normal, odd, train_images):
    scored = anomaly_scores(model, np.concatenate([normal, odd]), train_images)
    return {
        name: metrics.auroc(values[: len(normal)], values[len(normal) :])
        for name, values in scored.items()
    }


def evaluate_codec(
    encode,
    decode,
    prior,
    splits,
    dataset,
    num_samples=10000,
    probe_labels=metrics.DEFAULT_PROBE_LABELS,
    parzen=True,
    sample_quality=True,
    anomalies=None,
    classifier_cache_dir=None,
    seed=0,
    verbose=1,
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
        num_samples, probe_labels, parzen, sample_quality,
            classifier_cache_dir, seed, verbose: As for `evaluate`.

    Returns:
        A dict of plain numbers and lists (JSON-ready).
    """
    (x_train, y_train), (x_val, _), (x_test, y_test) = (
        splits["train"],
        splits["validation"],
        splits["test"],
    )
    train_codes, test_codes = (
        np.asarray(encode(x_train)),
        np.asarray(encode(x_test)),
    )
    errors = metrics.reconstruction_errors(x_test, decode(test_codes))
    prior_draws = np.asarray(prior.sample(2 * len(test_codes), seed=seed))
    samples = np.asarray(
        decode(np.asarray(prior.sample(num_samples, seed=seed + 1)))
    )
    num_classes = int(np.max(y_train)) + 1
    result = {
        "dataset": dataset,
        "reconstruction": {"mse": errors["mse"], "bce": errors["bce"]},
        "prior_match": metrics.prior_match(
            test_codes,
            prior_draws[: len(test_codes)],
            prior_draws[len(test_codes) :],
        ),
        "latent_probes": _latent_probes(
            train_codes,
            y_train,
            test_codes,
            y_test,
            probe_labels,
            seed,
            verbose,
        ),
        "kmeans_clustering_accuracy": metrics.hungarian_accuracy(
            _kmeans_clusters(test_codes, num_classes, seed), y_test
        ),
    }
    if parzen:
        result["parzen"] = parzen_evaluation(
            samples, x_val, x_test, verbose=verbose
        )
    if sample_quality:
        classifier = judge.judge_classifier(
            x_train, y_train, dataset, classifier_cache_dir, seed, verbose
        )
        result["sample_quality"] = judge.sample_quality(
            classifier, samples, x_test
        )
    if anomalies is not None:
        fitted = fit_scores(
            *_codec_errors(
                encode,
                decode,
                scores.fitting_sample(x_train),
                scores.fitting_sample(train_codes),
            )
        )
        normal = _codec_errors(encode, decode, x_test, test_codes)
        odd = _codec_errors(encode, decode, anomalies)
        result["anomaly_auroc"] = {
            name: metrics.auroc(score(*normal), score(*odd))
            for name, score in fitted.items()
        }
    return result


def _latent_probes(
    train_codes, y_train, test_codes, y_test, budgets, seed, verbose
):
    """`metrics.latent_probes`, one budget at a time under a progress bar
    (fitting the logistic regression on every label takes the longest)."""
    progress = None
    if verbose:
        print(f"Latent probes with {', '.join(map(str, budgets))} labels")
        progress = keras.utils.Progbar(len(budgets), unit_name="budget")
    results = {}
    for budget in budgets:
        results.update(
            metrics.latent_probes(
                train_codes, y_train, test_codes, y_test, (budget,), seed
            )
        )
        if progress is not None:
            progress.add(1)
    return results


def _codec_errors(encode, decode, images, codes=None):
    """Codes and per-image reconstruction errors of a codec."""
    codes = np.asarray(encode(images)) if codes is None else codes
    errors = metrics.reconstruction_errors(images, decode(codes))
    return codes, errors["per_image_mse"]
