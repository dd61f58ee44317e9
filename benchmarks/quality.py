"""Quality of keras-aae's defaults on the seed tutorial's setup.

Trains `AdversarialAutoencoder` on MNIST with the seed tutorial's architecture
(784-256-64 MLPs, Gaussian prior, batch 128, 10 epochs) in two
configurations, side by side in one run:

- `defaults`: the model's constructor defaults and `compile()` defaults;
- `seed-like`: the seed tutorial's optimizer settings (Adam at 1e-3 with
  Keras' default betas for every phase, one discriminator step, no instance
  noise), to show what the defaults fix.

For each it prints the figures the core issue asks for, then one JSON line:

- test reconstruction MSE per pixel (target <= 0.015);
- discriminator accuracy per epoch (target: within [0.5, 0.9] every epoch);
- the largest per-dimension gap between the test codes' mean/std and the
  prior's (target <= 0.15);
- entropy of the predicted-label histogram of 10,000 decoded prior samples,
  labelled by a small CNN trained here on MNIST (target >= 2.2 nats);
- 1-nearest-neighbour accuracy of test codes against train codes (>= 0.95).

Usage (from the repository root):
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/quality.py
"""

import argparse
import json
import time

import keras
import numpy as np

import keras_aae
from keras_aae import data
from keras_aae import evaluation
from keras_aae import networks

CONFIGS = ("defaults", "seed-like")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument(
        "--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS)
    )
    parser.add_argument(
        "--model-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Override an AdversarialAutoencoder argument of `defaults` (a number).",
    )
    parser.add_argument(
        "--classifier-cache",
        default=None,
        help="Keep the judging classifier here between runs (a .keras path).",
    )
    return parser.parse_args(argv)


def _number(text):
    return int(text) if text.lstrip("-").isdigit() else float(text)


def build(config, shape, args):
    keras.utils.set_random_seed(args.seed)
    nets = dict(
        encoder=networks.mlp_encoder(shape, args.latent_dim, args.hidden),
        decoder=networks.mlp_decoder(args.latent_dim, shape, args.hidden),
        discriminator=networks.mlp_discriminator(args.latent_dim, args.hidden),
    )
    if config == "defaults":
        overrides = {
            k: _number(v) for k, v in (a.split("=") for a in args.model_arg)
        }
        model = keras_aae.AdversarialAutoencoder(
            **nets, prior="gaussian", seed=args.seed, **overrides
        )
        model.compile()
        return model
    model = keras_aae.AdversarialAutoencoder(
        **nets,
        prior="gaussian",
        seed=args.seed,
        discriminator_steps=1,
        discriminator_noise=0.0,
    )
    model.compile(*(keras.optimizers.Adam(1e-3) for _ in range(3)))
    return model


def measure(model, history, arrays, classifier, args):
    x_train, y_train, x_test, y_test = arrays
    accuracy = history.history["discriminator_accuracy"]
    test_codes = model.encode(x_test)
    samples = model.generate(args.num_samples, seed=args.seed + 1)
    sample_labels = np.argmax(classifier.predict(samples, verbose=0), axis=1)
    code_mean, code_std = evaluation.latent_moments(test_codes)
    return {
        "reconstruction_mse": round(
            evaluation.reconstruction_mse(model, x_test), 5
        ),
        "discriminator_accuracy_per_epoch": [round(a, 3) for a in accuracy],
        "discriminator_accuracy_in_range": bool(
            all(0.5 <= a <= 0.9 for a in accuracy)
        ),
        "moment_gap": round(evaluation.moment_gap(test_codes, 0.0, 1.0), 3),
        "code_mean_abs_max": round(float(np.max(np.abs(code_mean))), 3),
        "code_std_range": [
            round(float(code_std.min()), 3),
            round(float(code_std.max()), 3),
        ],
        "sample_label_entropy": round(
            evaluation.label_histogram_entropy(sample_labels), 3
        ),
        "sample_label_shares": np.round(
            np.bincount(sample_labels, minlength=10) / len(sample_labels), 3
        ).tolist(),
        "knn1_accuracy": round(
            evaluation.knn_accuracy(
                model.encode(x_train), y_train, test_codes, y_test
            ),
            4,
        ),
    }


def main(argv=None):
    args = parse_args(argv)
    x_train, y_train = data.load_arrays(
        args.dataset, "train", data_dir=args.data_dir
    )
    x_test, y_test = data.load_arrays(
        args.dataset, "test", data_dir=args.data_dir
    )
    arrays = (x_train, y_train, x_test, y_test)
    classifier = evaluation.train_digit_classifier(
        x_train, y_train, seed=args.seed, cache_path=args.classifier_cache
    )
    classifier_accuracy = float(
        np.mean(np.argmax(classifier.predict(x_test, verbose=0), 1) == y_test)
    )
    print(f"judging classifier test accuracy: {classifier_accuracy:.4f}")
    results = {}
    for config in args.configs:
        model = build(config, x_train.shape[1:], args)
        train = data.as_dataset(
            x_train, batch_size=args.batch_size, seed=args.seed
        )
        start = time.perf_counter()
        history = model.fit(train, epochs=args.epochs, verbose=2)
        seconds = time.perf_counter() - start
        results[config] = {
            **measure(model, history, arrays, classifier, args),
            "train_seconds": round(seconds, 1),
            "epochs": args.epochs,
        }
        print(f"== {config}")
        for key, value in results[config].items():
            print(f"{key}: {value}")
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
