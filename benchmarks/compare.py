"""Quality side by side: keras-aae's defaults vs the seed's PyTorch loop.

Both train on MNIST (the training split less the 1,000 held-out validation
images) with the seed tutorial's architecture (784-256-64 MLPs), a Gaussian
N(0, I) prior and batch 128, for the same number of epochs, and both are
scored by `keras_aae.evaluation.evaluate_codec` with the same data, prior
draws and judging classifier. Each run is its own process, so its peak
resident memory (reported right after training) is its own. The config
`keras-aae-sampling` is keras-aae with the configuration whose prior samples
are best (universal posterior, instance noise 1.0).

The likelihood setup of the paper (8-D Gaussian, 2x1000 MLPs) is
`--architecture paper --configs keras-aae`.

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/compare.py --epochs 10
    ... --epochs 50
    ... --architecture paper --configs keras-aae --epochs 30
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ARCHITECTURES = {"seed": (64, [256]), "paper": (8, [1000, 1000])}
CONFIGS = ("seed", "keras-aae", "keras-aae-sampling")
# The configuration with the best samples (benchmarks/README.md, "Samples
# worth looking at"), not the default: see DEFAULT_POSTERIOR's comment.
SAMPLING = {"posterior": "universal", "discriminator_noise": 1.0}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument(
        "--architecture", choices=sorted(ARCHITECTURES), default="seed"
    )
    parser.add_argument(
        "--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS)
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--classifier-cache", default=None)
    parser.add_argument(
        "--save", default=None, help="Keep the keras-aae model here (.keras)."
    )
    parser.add_argument(
        "--model-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Override an AdversarialAutoencoder argument of keras-aae "
        "(a number, or a name such as posterior=gaussian; repeatable).",
    )
    parser.add_argument(
        "--compile-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="An argument of keras-aae's compile (a number, or JSON such as "
        "an optimizer's config dict; repeatable).",
    )
    parser.add_argument(
        "--sample-adversary",
        type=float,
        default=None,
        metavar="WEIGHT",
        help="Give keras-aae a `SampleAdversary` (an MLP image "
        "discriminator, 256 units) with this weight; 0: none.",
    )
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _train_seed(args, splits, latent_dim, hidden):
    sys.path.insert(0, HERE)
    import seed_torch

    model = seed_torch.SeedAAE(
        hidden_dims=hidden, z_dim=latent_dim, seed=args.seed
    )
    images, labels = splits["train"]
    history, _, seconds = model.fit(
        images, labels, args.epochs, args.batch_size, verbose=False
    )
    last = history[-1]
    return model.encode, model.decode, seconds, {"last_epoch": last}


def _name_value(text):
    """`NAME=VALUE` as `(name, value)`: a JSON value, else the string."""
    name, value = text.split("=", 1)
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def _train_keras(args, splits, latent_dim, hidden):
    import keras

    import keras_aae
    from keras_aae import networks
    from keras_aae import posteriors
    from keras_aae.models.adversarial_autoencoder import DEFAULT_POSTERIOR

    images, _ = splits["train"]
    keras.utils.set_random_seed(args.seed)
    model_args = dict(_name_value(a) for a in args.model_arg)
    if args.worker == "keras-aae-sampling":
        model_args = {**SAMPLING, **model_args}
    posterior = posteriors.get(model_args.pop("posterior", DEFAULT_POSTERIOR))
    if args.sample_adversary is not None:
        model_args["sample_adversary"] = (
            keras_aae.SampleAdversary.for_images(
                images.shape[1:], weight=args.sample_adversary
            )
            if args.sample_adversary
            else None
        )
    model = keras_aae.AdversarialAutoencoder(
        *networks.build_networks(
            images.shape[1:],
            latent_dim,
            hidden,
            outputs_per_dim=posterior.outputs_per_dim,
        ),
        seed=args.seed,
        posterior=posterior,
        **model_args,
    )
    model.compile(**dict(_name_value(a) for a in args.compile_arg))
    start = time.perf_counter()
    history = model.fit(
        images, epochs=args.epochs, batch_size=args.batch_size, verbose=0
    )
    seconds = time.perf_counter() - start
    if args.save:
        model.save(args.save)
    accuracy = [round(a, 3) for a in history.history["discriminator_accuracy"]]
    return (
        model.encode,
        model.decode,
        seconds,
        {"discriminator_accuracy": accuracy},
    )


def run_worker(args):
    from keras_aae import data
    from keras_aae import evaluation
    from keras_aae import priors

    latent_dim, hidden = ARCHITECTURES[args.architecture]
    splits = data.load_splits("mnist")
    train = _train_seed if args.worker == "seed" else _train_keras
    encode, decode, seconds, extra = train(args, splits, latent_dim, hidden)
    peak = _peak_rss_mib()
    scores = evaluation.evaluate_codec(
        encode,
        decode,
        priors.GaussianPrior(latent_dim),
        splits,
        "mnist",
        num_samples=args.num_samples,
        classifier_cache_dir=args.classifier_cache,
        seed=args.seed,
    )
    print(
        json.dumps(
            {
                "config": args.worker,
                "architecture": args.architecture,
                "epochs": args.epochs,
                "train_seconds": round(seconds, 1),
                "peak_rss_mib_after_training": round(peak),
                **extra,
                **scores,
            }
        )
    )


def _spawn(config, args):
    command = [sys.executable, os.path.abspath(__file__), "--worker", config]
    for name in (
        "epochs",
        "architecture",
        "batch_size",
        "seed",
        "num_samples",
        "classifier_cache",
        "save",
        "sample_adversary",
    ):
        value = getattr(args, name)
        if value is not None:
            command += ["--" + name.replace("_", "-"), str(value)]
    for name in ("model_arg", "compile_arg"):
        for value in getattr(args, name):
            command += ["--" + name.replace("_", "-"), value]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        raise RuntimeError(f"{config} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _row(result):
    match, parzen = result["prior_match"], result["parzen"]
    probes, quality = result["latent_probes"], result["sample_quality"]
    return {
        "config": result["config"],
        "epochs": result["epochs"],
        "recon_mse": round(result["reconstruction"]["mse"], 5),
        "recon_bce": round(result["reconstruction"]["bce"], 1),
        "mmd": round(match["mmd"], 4),
        "mmd_floor": round(match["mmd_floor"], 4),
        "moment_gap": round(match["moment_gap"], 3),
        "parzen": f"{parzen['mean']:.1f} +- {parzen['stderr']:.1f} (sigma {parzen['sigma']:.3f})",
        "knn1_100": round(probes["100"]["knn1"], 4),
        "logistic_100": round(probes["100"]["logistic"], 4),
        "knn1_all": round(probes["all"]["knn1"], 4),
        "kmeans_acc": round(result["kmeans_clustering_accuracy"], 4),
        "fd": round(quality["frechet_distance"], 2),
        "fd_floor": round(quality["frechet_distance_floor"], 2),
        "label_entropy": round(quality["label_entropy"], 3),
        "train_seconds": result["train_seconds"],
        "peak_rss_mib": result["peak_rss_mib_after_training"],
    }


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    for config in args.configs:
        result = _spawn(config, args)
        print(json.dumps(result), flush=True)
        print("ROW " + json.dumps(_row(result)), flush=True)


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
