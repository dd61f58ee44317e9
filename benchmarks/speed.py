"""Training speed: keras-aae's `fit` and CLI vs the seed's PyTorch loop.

MNIST, batch 128. Each measurement runs in its own process, and the
configurations alternate (seed, keras-aae, cli, ...) for `--pairs` rounds, so
slow phases of a noisy machine hit all of them; the ratio to the seed is
taken per round and the median reported. Throughput is images per second
over the epochs after the first (the first holds tracing and compilation; its
time is reported separately).

- `seed`: `benchmarks/seed_torch.py`, the seed's loop (torch, `bench` extra);
- `keras-aae`: `AdversarialAutoencoder` with `compile()` defaults, `fit` on
  numpy arrays, as a user calls it;
- `cli`: `keras-aae train` in a subprocess, per-epoch callbacks and all
  (throughput from the `epoch_seconds` column of its history.csv);
- `keras-aae-bf16`: `keras-aae` under the `mixed_bfloat16` dtype policy.

It also times a 128x784 by 784x256 float32 matmul to place the results
against the float32 limit (3.3 MFLOP per image per training step for the
seed architecture, as the evaluation issue counts it).

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/speed.py
    ... --architecture paper --pairs 2 --epochs 1
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ARCHITECTURES = {"seed": (64, [256]), "paper": (8, [1000, 1000])}
CONFIGS = ("seed", "keras-aae", "cli", "keras-aae-bf16")
FLOPS_PER_IMAGE = 3.3e6  # seed architecture, one training step (issue 3)
HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--architecture", choices=sorted(ARCHITECTURES), default="seed"
    )
    parser.add_argument(
        "--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS)
    )
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--epochs", type=int, default=2, help="Timed epochs per run."
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _mnist():
    from keras_aae import data

    return data.load_arrays("mnist", "train")


def _seed_worker(args, latent_dim, hidden):
    sys.path.insert(0, HERE)
    import seed_torch

    images, labels = _mnist()
    model = seed_torch.SeedAAE(hidden_dims=hidden, z_dim=latent_dim)
    seconds = []
    for _ in range(1 + args.epochs):
        _, seen, elapsed = model.fit(
            images, labels, 1, args.batch_size, verbose=False
        )
        seconds.append(elapsed)
    return len(images), seconds


def _keras_worker(args, latent_dim, hidden, policy=None):
    import keras

    if policy:
        keras.config.set_dtype_policy(policy)
    import keras_aae
    from keras_aae import networks

    images, _ = _mnist()
    keras.utils.set_random_seed(0)
    model = keras_aae.AdversarialAutoencoder(
        networks.mlp_encoder(images.shape[1:], latent_dim, hidden),
        networks.mlp_decoder(latent_dim, images.shape[1:], hidden),
        networks.mlp_discriminator(latent_dim, hidden),
        seed=0,
    )
    model.compile()
    history = model.fit(
        images,
        epochs=1 + args.epochs,
        batch_size=args.batch_size,
        verbose=0,
        callbacks=[keras_aae.callbacks.EpochSeconds()],
    )
    return len(images), history.history["epoch_seconds"]


def _cli_worker(args, latent_dim, hidden):
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            "-m",
            "keras_aae",
            "train",
            "--dataset",
            "mnist",
            "--epochs",
            str(1 + args.epochs),
            "--batch-size",
            str(args.batch_size),
            "--latent-dim",
            str(latent_dim),
            "--hidden",
            *map(str, hidden),
            "--out",
            out,
            "--verbose",
            "0",
        ]
        subprocess.run(command, check=True, capture_output=True)
        with open(os.path.join(out, "history.csv")) as f:
            seconds = [float(row["epoch_seconds"]) for row in csv.DictReader(f)]
    from keras_aae import data

    num_train = len(_mnist()[0])
    return num_train - data.validation_size(num_train), seconds


def run_worker(args):
    latent_dim, hidden = ARCHITECTURES[args.architecture]
    if args.worker == "seed":
        n, seconds = _seed_worker(args, latent_dim, hidden)
    elif args.worker == "cli":
        n, seconds = _cli_worker(args, latent_dim, hidden)
    else:
        policy = "mixed_bfloat16" if args.worker.endswith("bf16") else None
        n, seconds = _keras_worker(args, latent_dim, hidden, policy)
    timed = seconds[1:]
    print(
        json.dumps(
            {
                "config": args.worker,
                "images_per_second": n * len(timed) / sum(timed),
                "first_epoch_seconds": seconds[0],
            }
        )
    )


def matmul_gflops(repeats=200):
    """Float32 128x784 @ 784x256 throughput of TensorFlow on this machine."""
    import tensorflow as tf

    a = tf.random.normal((128, 784))
    b = tf.random.normal((784, 256))

    @tf.function
    def loop():
        # Each product feeds the next input, so none can be hoisted or folded.
        def body(i, x):
            return i + 1, x + 1e-12 * tf.reduce_sum(tf.matmul(x, b))

        return tf.while_loop(lambda i, x: i < repeats, body, (0, a))[1]

    loop()
    start = time.perf_counter()
    loop().numpy()
    elapsed = time.perf_counter() - start
    return 2 * 128 * 784 * 256 * repeats / elapsed / 1e9


def _spawn(config, args):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        config,
        "--architecture",
        args.architecture,
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        raise RuntimeError(f"{config} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    rounds = []
    for pair in range(args.pairs):
        row = {config: _spawn(config, args) for config in args.configs}
        rounds.append(row)
        print(
            json.dumps(
                {
                    "pair": pair,
                    **{
                        k: round(v["images_per_second"]) for k, v in row.items()
                    },
                }
            ),
            flush=True,
        )
    summary = {
        "architecture": args.architecture,
        "batch_size": args.batch_size,
        "pairs": args.pairs,
        "timed_epochs": args.epochs,
    }
    for config in args.configs:
        values = [r[config]["images_per_second"] for r in rounds]
        summary[config] = {
            "images_per_second_median": round(statistics.median(values)),
            "first_epoch_seconds_median": round(
                statistics.median(
                    r[config]["first_epoch_seconds"] for r in rounds
                ),
                1,
            ),
        }
        if config != "seed" and "seed" in args.configs:
            ratios = [
                r[config]["images_per_second"] / r["seed"]["images_per_second"]
                for r in rounds
            ]
            summary[config]["ratio_to_seed_per_pair"] = [
                round(x, 2) for x in ratios
            ]
            summary[config]["ratio_to_seed_median"] = round(
                statistics.median(ratios), 2
            )
    if args.architecture == "seed":
        gflops = matmul_gflops()
        limit = gflops * 1e9 / FLOPS_PER_IMAGE
        summary["matmul_gflops"] = round(gflops, 1)
        summary["float32_limit_images_per_second"] = round(limit)
        for config in args.configs:
            summary[config]["fraction_of_float32_limit"] = round(
                summary[config]["images_per_second_median"] / limit, 2
            )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
