"""Quality of keras-aae's defaults on the seed tutorial's setup.

Trains `AdversarialAutoencoder` with its default compile settings on MNIST
with the seed tutorial's architecture (784-256-64 MLPs, batch 128, Gaussian
prior) and prints the figures the core issue asks for, one per line, then a
JSON summary:

- test reconstruction MSE per pixel (target <= 0.015);
- discriminator accuracy per epoch (target: within [0.5, 0.9] every epoch);
- largest per-dimension gap between the test codes' mean/std and the prior's
  (target <= 0.15);
- entropy of the predicted-label histogram of 10,000 decoded prior samples,
  labelled by a small CNN trained here on MNIST (target >= 2.2 nats);
- 1-nearest-neighbour accuracy of test codes against train codes (>= 0.95).

Usage:
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
    parser.add_argument("--reconstruction-lr", type=float, default=None)
    parser.add_argument("--discriminator-lr", type=float, default=None)
    parser.add_argument("--generator-lr", type=float, default=None)
    parser.add_argument("--adversarial-weight", type=float, default=1.0)
    parser.add_argument("--gradient-penalty", type=float, default=None)
    parser.add_argument(
        "--classifier-cache", default=None,
        help="Where to keep the judging classifier between runs (.keras).",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    x_train, y_train = data.load_arrays(args.dataset, "train", data_dir=args.data_dir)
    x_test, y_test = data.load_arrays(args.dataset, "test", data_dir=args.data_dir)
    keras.utils.set_random_seed(args.seed)
    shape = x_train.shape[1:]
    model = keras_aae.AdversarialAutoencoder(
        encoder=networks.mlp_encoder(shape, args.latent_dim, args.hidden),
        decoder=networks.mlp_decoder(args.latent_dim, shape, args.hidden),
        discriminator=networks.mlp_discriminator(args.latent_dim, args.hidden),
        prior="gaussian",
        adversarial_weight=args.adversarial_weight,
        **({} if args.gradient_penalty is None
           else {"gradient_penalty_weight": args.gradient_penalty}),
        seed=args.seed,
    )
    rates = {
        "reconstruction_learning_rate": args.reconstruction_lr,
        "discriminator_learning_rate": args.discriminator_lr,
        "generator_learning_rate": args.generator_lr,
    }
    model.compile(**{k: v for k, v in rates.items() if v is not None})
    train = data.as_dataset(x_train, batch_size=args.batch_size, seed=args.seed)
    start = time.perf_counter()
    history = model.fit(train, epochs=args.epochs, verbose=2)
    train_seconds = time.perf_counter() - start

    accuracy = history.history["discriminator_accuracy"]
    test_codes = model.encode(x_test)
    train_codes = model.encode(x_train)
    classifier = evaluation.train_digit_classifier(
        x_train, y_train, seed=args.seed, cache_path=args.classifier_cache
    )
    classifier_accuracy = float(
        np.mean(np.argmax(classifier.predict(x_test, verbose=0), 1) == y_test)
    )
    samples = model.generate(args.num_samples, seed=args.seed + 1)
    sample_labels = np.argmax(classifier.predict(samples, verbose=0), axis=1)
    code_mean, code_std = evaluation.latent_moments(test_codes)
    results = {
        "reconstruction_mse": evaluation.reconstruction_mse(model, x_test),
        "discriminator_accuracy_per_epoch": [round(a, 4) for a in accuracy],
        "discriminator_accuracy_in_range": bool(
            all(0.5 <= a <= 0.9 for a in accuracy)
        ),
        "moment_gap": evaluation.moment_gap(test_codes, 0.0, 1.0),
        "code_mean_abs_max": float(np.max(np.abs(code_mean))),
        "code_std_range": [float(code_std.min()), float(code_std.max())],
        "sample_label_entropy": evaluation.label_histogram_entropy(sample_labels),
        "sample_label_shares": np.round(
            np.bincount(sample_labels, minlength=10) / len(sample_labels), 3
        ).tolist(),
        "knn1_accuracy": evaluation.knn_accuracy(
            train_codes, y_train, test_codes, y_test, k=1
        ),
        "classifier_test_accuracy": classifier_accuracy,
        "train_seconds": round(train_seconds, 1),
        "epochs": args.epochs,
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
