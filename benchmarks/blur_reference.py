"""A scale for sample quality: the judge's Frechet distance of blurred images.

Issue 29 asks for decoded prior draws whose Frechet distance (package's
judge, `keras_aae.evaluation.sample_quality`) is at most half that of the
test images blurred by a Gaussian of one pixel. This prints that reference
for each `--sigmas`: the test images blurred, scored against the unblurred
test images by the same judge `compare.py` uses (same cache, same seed).

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python \\
        benchmarks/blur_reference.py --classifier-cache /tmp/judge
"""

import argparse
import json

from scipy import ndimage


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--sigmas", type=float, nargs="+", default=[0.5, 1.0])
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
        print(
            json.dumps(
                {
                    "dataset": args.dataset,
                    "sigma": sigma,
                    "frechet_distance": round(quality["frechet_distance"], 2),
                    "half": round(quality["frechet_distance"] / 2, 2),
                    "label_entropy": round(quality["label_entropy"], 3),
                    "floor": round(quality["frechet_distance_floor"], 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
