"""A scale for sample quality: the judge's Frechet distance of blurred images.

Issue 29 asks for decoded prior draws whose Frechet distance (package's
judge, `keras_aae.evaluation.sample_quality`) is at most half that of the
test images blurred by a Gaussian of one pixel. This prints that reference
for each `--sigmas`: the test images blurred, scored against the unblurred
test images by the same judge `compare.py` uses (same cache, same seed).
With `--decoder DIR`, it also scores, in the same run and by the same
judge, 10,000 draws of the prior in `DIR/prior.json` decoded by the
SavedModel `DIR` served with TensorFlow alone (`keras-aae` only reads the
prior's parameters).

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python \\
        benchmarks/blur_reference.py --classifier-cache /tmp/judge
    ... --sigmas 1.0 --decoder saved_models/mnist-showcase/decoder
"""

import argparse
import json
import os

import numpy as np
from scipy import ndimage


def _row(**fields):
    print(json.dumps(fields), flush=True)


def decoded_prior_draws(decoder_dir, num_samples, seed):
    """`num_samples` Gaussian prior draws (`prior.json`'s mean and standard
    deviation) decoded by the SavedModel in `decoder_dir`."""
    import tensorflow as tf

    with open(os.path.join(decoder_dir, "prior.json")) as f:
        prior = json.load(f)
    if prior["class_name"] != "GaussianPrior":
        raise SystemExit(f"{decoder_dir}: a Gaussian prior is expected")
    config = prior["config"]
    codes = np.random.default_rng(seed).normal(
        config["mean"],
        config["stddev"],
        size=(num_samples, config["latent_dim"]),
    )
    serve = tf.saved_model.load(decoder_dir).signatures["serving_default"]
    return np.concatenate(
        [
            serve(codes=tf.constant(batch, tf.float32))["images"].numpy()
            for batch in np.array_split(codes, max(num_samples // 500, 1))
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--sigmas", type=float, nargs="+", default=[0.5, 1.0])
    parser.add_argument("--decoder", nargs="*", default=[])
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--classifier-cache", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from keras_aae import data
    from keras_aae.evaluation import judge

    splits = data.load_splits(args.dataset)
    (x_train, y_train), (x_test, _) = splits["train"], splits["test"]
    classifier = judge.judge_classifier(
        x_train, y_train, args.dataset, args.classifier_cache, args.seed
    )
    for sigma in args.sigmas:
        blurred = ndimage.gaussian_filter(x_test, sigma=(0, sigma, sigma, 0))
        quality = judge.sample_quality(classifier, blurred, x_test)
        _row(
            dataset=args.dataset,
            sigma=sigma,
            frechet_distance=round(quality["frechet_distance"], 2),
            half=round(quality["frechet_distance"] / 2, 2),
            label_entropy=round(quality["label_entropy"], 3),
            floor=round(quality["frechet_distance_floor"], 2),
        )
    for decoder_dir in args.decoder:
        samples = decoded_prior_draws(decoder_dir, args.num_samples, args.seed)
        quality = judge.sample_quality(classifier, samples, x_test)
        _row(
            dataset=args.dataset,
            decoder=decoder_dir,
            samples=len(samples),
            frechet_distance=round(quality["frechet_distance"], 2),
            label_entropy=round(quality["label_entropy"], 3),
            label_shares=[round(s, 3) for s in quality["label_shares"]],
        )


if __name__ == "__main__":
    main()
