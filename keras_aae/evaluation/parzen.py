"""The Parzen-window log-likelihood of the paper's section 3 (table 1).

The protocol of Goodfellow et al. (2014) that the paper follows: a Gaussian
kernel on each of 10,000 decoded prior samples, its width chosen on held-out
validation images, the test images' mean log-likelihood reported. Scoring
10,000 MNIST test images against 10,000 samples takes about a minute on a
CPU; `verbose=1` shows Keras' progress bar meanwhile.

Example:

>>> import numpy as np
>>> from keras_aae.evaluation import parzen
>>> rng = np.random.default_rng(0)
>>> samples, images = rng.random((200, 16)), rng.random((50, 16))
>>> result = parzen.parzen_evaluation(samples, images[:25], images[25:])
>>> result["sigma"] in parzen.PARZEN_SIGMAS
True
"""

import keras
import numpy as np

from keras_aae.evaluation.metrics import squared_distances

PARZEN_SIGMAS = tuple(np.logspace(-1, 0, 10))


def _rows(images):
    return np.reshape(np.asarray(images), (len(images), -1))


def _parzen_from_distances(squared, sigma, dim):
    """Log-likelihoods from squared distances `(m, n)` to `n` kernel centres."""
    scaled = -squared / (2.0 * sigma**2)
    top = scaled.max(axis=1, keepdims=True)
    log_mean = np.log(np.mean(np.exp(scaled - top), axis=1)) + top[:, 0]
    return log_mean - 0.5 * dim * np.log(2 * np.pi * sigma**2)


def _chunked_parzen(samples, images, sigmas, chunk, progress=None):
    samples = _rows(samples).astype("float64")
    images = _rows(images).astype("float64")
    if samples.shape[1] != images.shape[1]:
        raise ValueError(
            "samples and images must have the same size per example. Received: "
            f"{samples.shape[1]} and {images.shape[1]}"
        )
    out = np.empty((len(sigmas), len(images)))
    for start in range(0, len(images), chunk):
        squared = squared_distances(images[start : start + chunk], samples)
        for i, sigma in enumerate(sigmas):
            out[i, start : start + chunk] = _parzen_from_distances(
                squared, sigma, samples.shape[1]
            )
        if progress is not None:
            progress.add(len(squared))
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

    Raises:
        ValueError: On a `sigma` that is not positive, or samples and images
            of different sizes.
    """
    if not sigma > 0:
        raise ValueError(f"`sigma` must be positive. Received: sigma={sigma}")
    return _chunked_parzen(samples, images, (float(sigma),), chunk)[0]


def parzen_evaluation(
    samples, validation_images, test_images, sigmas=PARZEN_SIGMAS, verbose=0
):
    """The paper's Parzen-window protocol (section 3, table 1).

    The kernel width is the one of `sigmas` (default `logspace(-1, 0, 10)`)
    that gives the validation images the highest mean log-likelihood; the
    test images are then scored with it.

    Args:
        samples: Model samples, 10,000 in the paper.
        validation_images: Images held out of training (1,000 in the paper).
        test_images: Test images (10,000 for MNIST).
        sigmas: Candidate kernel widths.
        verbose: 1 shows a progress bar (`keras.utils.Progbar`) over the
            images scored; 0 is silent.

    Returns:
        A dict: `mean` and `stderr` (standard error of the mean) of the test
        log-likelihoods in nats, the chosen `sigma`, and
        `validation_by_sigma`.
    """
    sigmas = tuple(float(s) for s in sigmas)
    progress = None
    if verbose:
        progress = keras.utils.Progbar(
            len(validation_images) + len(test_images), unit_name="image"
        )
        print("Parzen window: validation images choose sigma, then the test")
    validation = _chunked_parzen(
        samples, validation_images, sigmas, 500, progress
    ).mean(axis=1)
    best = sigmas[int(np.argmax(validation))]
    test = _chunked_parzen(samples, test_images, (best,), 500, progress)[0]
    return {
        "mean": float(test.mean()),
        "stderr": float(test.std(ddof=1) / np.sqrt(len(test))),
        "sigma": best,
        "validation_by_sigma": {
            f"{s:.4f}": float(v)
            for s, v in zip(sigmas, validation, strict=True)
        },
    }


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
        draws = np.asarray(
            prior.sample(num_prior_samples, seed=seed), dtype="float64"
        )
        d = draws.shape[1]
        bandwidth = float(np.mean(draws.std(axis=0))) * num_prior_samples ** (
            -1.0 / (d + 4)
        )
        return parzen_log_likelihood(draws, codes, max(bandwidth, 1e-3))
