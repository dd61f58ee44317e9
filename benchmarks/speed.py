"""Training speed: `keras-aae train` and `fit` vs the seed's PyTorch loop.

MNIST, batch 128, the seed architecture (784-256-64, `--architecture
paper`: the paper's 2x1000 MLPs and 8-D codes). Each measurement is its own
process, and the configurations alternate (seed, keras-aae, cli, ...) for
`--pairs` rounds, so slow phases of a noisy machine hit all of them; ratios
to the seed are taken per round and their median reported.

- `seed`: `python benchmarks/seed_torch.py`, the seed tutorial's script as a
  process (torch, `bench` extra): reads the IDX files, trains `--epochs`.
- `cli`: the README's MNIST command, `keras-aae train --dataset mnist
  --epochs N ...`, as a user runs it (per-epoch callbacks, backup, exports
  and figures included).
- `keras-aae`: `AdversarialAutoencoder` with `compile()` defaults, `fit` on
  numpy arrays in a Python process, as a notebook calls it.
- `keras-aae-bf16`: the same under the `mixed_bfloat16` dtype policy.

- `keras-aae-1step`: `keras-aae` with one discriminator step per batch, as
  the package's recipes train (the default, `"auto"`, gives five on the
  seed's networks and one on the paper's).
- `keras-aae-paper`: `keras-aae` without the sample adversary
  (`sample_adversary=None`), the paper's section 2 model.
- `pythae`: a peer, pythae 0.1.2's `Adversarial_AE` with MLPs of the same
  sizes and its default Gaussian posterior, trained by its own pipeline
  (`python benchmarks/pythae_aae.py`, `bench` extra).

Per configuration it reports images/s per epoch (over the epochs after the
first, which holds tracing and compilation; mean and, per run, the median
epoch), the first epoch's seconds, the whole process's wall time (spawn to
exit; for `keras-aae` the process builds, trains and exits), and the
fraction of this machine's float32 peak (a 2048^3 matmul) that the
per-epoch throughput reaches, from the multiply-adds each step does.

Per epoch as the user waits (`user_wait`): each round also runs every
configuration for one epoch, and a configuration's seconds per epoch are
`(process seconds of --epochs N - process seconds of --epochs 1) / (N - 1)`:
everything an extra epoch costs the user, per-epoch callbacks, figures and
backups included, and nothing that every run pays once (start-up, data,
compilation, exports). The rounds alternate the configurations and the
two lengths (seed N, keras-aae N, cli N, seed 1, ...).

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/speed.py
    ... --architecture paper --pairs 2 --epochs 3
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
# `keras_aae.models.sample_adversary.DEFAULT_HIDDEN`, the default's width.
SAMPLE_ADVERSARY_HIDDEN = (256,)
CONFIGS = (
    "seed",
    "keras-aae",
    "cli",
    "keras-aae-bf16",
    "keras-aae-1step",
    "keras-aae-paper",
    "pythae",
)
# The configurations that are a PyTorch script run as a process.
TORCH_SCRIPTS = {"seed": "seed_torch.py", "pythae": "pythae_aae.py"}
HERE = os.path.dirname(os.path.abspath(__file__))
PIXELS = 784


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--architecture", choices=sorted(ARCHITECTURES), default="seed"
    )
    parser.add_argument(
        "--configs",
        nargs="+",
        choices=CONFIGS,
        default=["seed", "keras-aae", "cli"],
    )
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--epochs", type=int, default=10, help="Epochs per run (>= 2)."
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--model-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Override an AdversarialAutoencoder argument of `keras-aae` "
        "(JSON value; repeatable).",
    )
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _macs(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


def step_macs(config, latent_dim, hidden, discriminator_steps):
    """Multiply-adds per image of one training step.

    Forward passes cost one product per weight, backward passes one for
    the weights' gradients and one for the inputs' (not for the images).
    The seed: two encoder forwards, decoder forward and backward, one
    encoder backward, the discriminator on the codes (generator loss,
    weights' gradients included, as `loss.backward()` computes them) and on
    prior samples and codes (discriminator loss). keras-aae: one encoder
    forward, decoder forward and backward, two encoder backwards
    (reconstruction and generator updates), `discriminator_steps` steps on
    prior samples and codes, and the generator's discriminator pass; with
    the default sample adversary (all but `keras-aae-paper`) also the
    decoder on prior draws and the image discriminator's passes.
    pythae: one encoder forward (a mean and a log-variance head) and
    backward, decoder forward and backward, and three discriminator passes
    (codes, prior samples, detached codes), each with both backward products.
    """
    enc = _macs([PIXELS, *hidden, latent_dim])
    dec = _macs([latent_dim, *hidden, PIXELS])
    disc = _macs([latent_dim, *hidden, 1])
    enc_backward = enc + (enc - PIXELS * hidden[0])
    if config == "seed":
        return 2 * enc + 3 * dec + enc_backward + 3 * disc + 4 * disc
    if config == "pythae":
        head = hidden[-1] * latent_dim
        return enc + head + 3 * dec + enc_backward + 2 * head + 9 * disc
    paper = (
        enc + 3 * dec + 2 * enc_backward + discriminator_steps * 4 * disc
    ) + 2 * disc
    if config == "keras-aae-paper":
        return paper
    # The default sample adversary: the decoder forward and backward on a
    # batch of prior draws; its discriminator on images and draws, forward
    # and backward, and once more on the draws for the decoder's loss.
    judge = _macs([PIXELS, *SAMPLE_ADVERSARY_HIDDEN, 1])
    return paper + 3 * dec + 6 * judge


def _run_args(args, latent_dim, hidden):
    """The training arguments the seed's script and the CLI share."""
    return [
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
        "--latent-dim",
        str(latent_dim),
        "--hidden",
        *map(str, hidden),
    ]


def _torch_worker(script, args, latent_dim, hidden):
    command = [
        sys.executable,
        os.path.join(HERE, script),
        *_run_args(args, latent_dim, hidden),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    record = json.loads(result.stdout.strip().splitlines()[-1])
    return record["images"], record["epoch_seconds"], wall


def _keras_worker(args, latent_dim, hidden, policy=None, overrides=None):
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
        **{**_model_args(args), **(overrides or {})},
    )
    model.compile()
    history = model.fit(
        images,
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=0,
        callbacks=[keras_aae.callbacks.EpochSeconds()],
    )
    return len(images), history.history["epoch_seconds"], None


def _model_args(args):
    return {
        k: json.loads(v) for k, v in (a.split("=", 1) for a in args.model_arg)
    }


def _mnist():
    from keras_aae import data

    return data.load_arrays("mnist", "train")


def _cli_worker(args, latent_dim, hidden):
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            "-m",
            "keras_aae",
            "train",
            "--dataset",
            "mnist",
            *_run_args(args, latent_dim, hidden),
            "--prior",
            "gaussian",
            "--seed",
            "0",
            "--out",
            out,
            "--verbose",
            "0",
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - start
        with open(os.path.join(out, "history.csv")) as f:
            seconds = [float(row["epoch_seconds"]) for row in csv.DictReader(f)]
    from keras_aae import data

    # The CLI trains on the training split less the validation images, in
    # full batches only (it drops each epoch's smaller last batch).
    train = 60000 - data.validation_size(60000)
    return train // args.batch_size * args.batch_size, seconds, wall


def _default_steps(latent_dim, hidden):
    """The model's default discriminator steps for these MNIST networks."""
    from keras_aae import networks
    from keras_aae.models import discriminator_steps

    shape = (28, 28, 1)
    autoencoder = [
        networks.mlp_encoder(shape, latent_dim, hidden),
        networks.mlp_decoder(latent_dim, shape, hidden),
    ]
    return discriminator_steps.balanced(
        sum(net.count_params() for net in autoencoder),
        networks.mlp_discriminator(latent_dim, hidden).count_params(),
    )


def run_worker(args):
    latent_dim, hidden = ARCHITECTURES[args.architecture]
    if args.worker in TORCH_SCRIPTS:
        n, seconds, wall = _torch_worker(
            TORCH_SCRIPTS[args.worker], args, latent_dim, hidden
        )
    elif args.worker == "cli":
        n, seconds, wall = _cli_worker(args, latent_dim, hidden)
    else:
        policy = "mixed_bfloat16" if args.worker.endswith("bf16") else None
        overrides = None
        if args.worker.endswith("1step"):
            overrides = {"discriminator_steps": 1}
        elif args.worker.endswith("paper"):
            overrides = {"sample_adversary": None}
        n, seconds, wall = _keras_worker(
            args, latent_dim, hidden, policy, overrides
        )
    # A one-epoch run only times the whole process (`user_wait`).
    timed = seconds[1:] or [float("nan")]
    print(
        json.dumps(
            {
                "config": args.worker,
                "images": n,
                "images_per_second": n * len(timed) / sum(timed),
                "median_epoch_images_per_second": n / statistics.median(timed),
                "first_epoch_seconds": seconds[0],
                # The keras-aae worker is this process; its wall time is
                # taken by the parent (`_spawn`).
                "process_seconds": wall,
            }
        )
    )


def matmul_gflops(n=2048, repeats=20):
    """This machine's float32 peak as TensorFlow reaches it: an n^3 matmul."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n)) / n

    @tf.function
    def loop():
        # Each product feeds the next, so none can be hoisted or folded.
        return tf.while_loop(
            lambda i, x: i < repeats,
            lambda i, x: (i + 1, tf.matmul(x, b)),
            (0, a),
        )[1]

    loop().numpy()
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        loop().numpy()
        best = max(best, 2 * n**3 * repeats / (time.perf_counter() - start))
    return best / 1e9


def _spawn(config, args, epochs=None):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        config,
        "--architecture",
        args.architecture,
        "--epochs",
        str(epochs or args.epochs),
        "--batch-size",
        str(args.batch_size),
    ]
    for value in args.model_arg:
        command += ["--model-arg", value]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"{config} failed:\n{result.stderr[-3000:]}")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    if record["process_seconds"] is None:
        record["process_seconds"] = wall
    return record


def _user_wait(long_run, one_epoch, epochs):
    """Per-epoch seconds and images/s as the user waits: what the N-epoch
    process took beyond the one-epoch process, per extra epoch."""
    seconds = (long_run["process_seconds"] - one_epoch["process_seconds"]) / (
        epochs - 1
    )
    return {
        "one_epoch_process_seconds": one_epoch["process_seconds"],
        "user_wait_epoch_seconds": seconds,
        "user_wait_images_per_second": long_run["images"] / seconds,
    }


def _median(rounds, config, key, digits=1):
    return round(statistics.median(r[config][key] for r in rounds), digits)


def _ratios(rounds, config, key, invert=False):
    values = []
    for r in rounds:
        ratio = r[config][key] / r["seed"][key]
        values.append(1 / ratio if invert else ratio)
    return {
        "per_pair": [round(v, 2) for v in values],
        "median": round(statistics.median(values), 2),
    }


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    if args.epochs < 2:
        raise SystemExit("--epochs must be at least 2 (the first compiles)")
    rounds = []
    for pair in range(args.pairs):
        row = {config: _spawn(config, args) for config in args.configs}
        for config in args.configs:
            one = _spawn(config, args, epochs=1)
            row[config].update(_user_wait(row[config], one, args.epochs))
        rounds.append(row)
        print(json.dumps({"pair": pair, **row}), flush=True)
    latent_dim, hidden = ARCHITECTURES[args.architecture]
    steps = _model_args(args).get("discriminator_steps")
    if steps is None:
        steps = _default_steps(latent_dim, hidden)
    peak = matmul_gflops()
    summary = {
        "architecture": args.architecture,
        "batch_size": args.batch_size,
        "pairs": args.pairs,
        "epochs": args.epochs,
        "peak_matmul_gflops": round(peak, 1),
    }
    for config in args.configs:
        macs = step_macs(
            config, latent_dim, hidden, 1 if config.endswith("1step") else steps
        )
        speed = _median(rounds, config, "images_per_second", 0)
        summary[config] = {
            "images_per_second": speed,
            "median_epoch_images_per_second": _median(
                rounds, config, "median_epoch_images_per_second", 0
            ),
            "first_epoch_seconds": _median(
                rounds, config, "first_epoch_seconds"
            ),
            "process_seconds": _median(rounds, config, "process_seconds"),
            "one_epoch_process_seconds": _median(
                rounds, config, "one_epoch_process_seconds"
            ),
            "user_wait_epoch_seconds": _median(
                rounds, config, "user_wait_epoch_seconds", 2
            ),
            "user_wait_images_per_second": _median(
                rounds, config, "user_wait_images_per_second", 0
            ),
            "macs_per_image": macs,
            "gflops": round(speed * 2 * macs / 1e9, 1),
            "fraction_of_peak": round(speed * 2 * macs / 1e9 / peak, 2),
        }
        if config != "seed" and "seed" in args.configs:
            summary[config]["speed_ratio_to_seed"] = _ratios(
                rounds, config, "images_per_second"
            )
            summary[config]["user_wait_speed_ratio_to_seed"] = _ratios(
                rounds, config, "user_wait_images_per_second"
            )
            summary[config]["process_speed_ratio_to_seed"] = _ratios(
                rounds, config, "process_seconds", invert=True
            )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
