"""Copy a finished `keras-aae train` run into `saved_models/<name>/`.

Writes the decoder and encoder SavedModels, `model.keras` (architecture and
weights; the optimizers' state is left out: it triples the size and serving
does not need it, resume training from the run's own folder instead), the
samples figure, and a `README.md` card: the command, the figures as
`keras-aae evaluate` prints them, epochs, training wall time, machine and
package version.

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/ship_model.py \\
        --run runs/mnist --name mnist-64d
    # Redraw a shipped model's figures (samples.png, latent.png) from its
    # model.keras, e.g. after the figures' style changed:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/ship_model.py \\
        --name mnist-64d --figures-only
"""

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The figures the card's table shows, as `keras-aae evaluate` names them.
FIGURES = (
    ("reconstruction MSE per pixel (test)", ("reconstruction", "mse")),
    ("MMD^2 codes vs prior", ("prior_match", "mmd")),
    ("largest moment gap", ("prior_match", "moment_gap")),
    ("Parzen log-likelihood (nats)", ("parzen", "mean")),
    ("1-NN accuracy, all labels", ("latent_probes", "all", "knn1")),
    ("Frechet distance of samples", ("sample_quality", "frechet_distance")),
    (
        "label entropy of samples (max 2.303)",
        ("sample_quality", "label_entropy"),
    ),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="A `train --out` folder.")
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="Only redraw the shipped model's samples.png and latent.png.",
    )
    parser.add_argument("--name", required=True)
    parser.add_argument("--dest", default=os.path.join(ROOT, "saved_models"))
    parser.add_argument("--classifier-cache", default=None)
    parser.add_argument(
        "--dataset", default="mnist", help="With --figures-only: the test set."
    )
    return parser.parse_args(argv)


def _evaluate(args, dataset):
    command = [
        sys.executable, "-m", "keras_aae", "evaluate",
        "--model", os.path.join(args.run, "model.keras"), "--dataset", dataset,
    ]  # fmt: skip
    if args.classifier_cache:
        command += ["--classifier-cache", args.classifier_cache]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return command, json.loads(out.stdout.strip().splitlines()[-1])


def _shown(arguments):
    """The arguments less `--classifier-cache DIR` (a cache of the judge,
    which gives the same figures)."""
    shown = list(arguments)
    if "--classifier-cache" in shown:
        i = shown.index("--classifier-cache")
        del shown[i : i + 2]
    return shown


def _lookup(result, keys):
    for key in keys:
        result = result[key]
    return result


def _training(run):
    with open(os.path.join(run, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    seconds = sum(float(r["epoch_seconds"]) for r in rows)
    return len(rows), seconds


def _machine():
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
        simd = "AVX-512" if "avx512f" in flags else "AVX2"
    except OSError:
        simd = "unknown SIMD"
    return f"{os.cpu_count()}-core {platform.machine()} CPU ({simd}), no GPU"


def _weights_only_copy(run, path):
    """The run's model without its optimizers' state, saved to `path`."""
    import keras_aae

    model = keras_aae.load_model(os.path.join(run, "model.keras"))
    bare = type(model).from_config(model.get_config())
    bare.set_weights(model.get_weights())
    bare.save(path)


def write_card(path, name, run_record, command, result, epochs, seconds):
    import keras_aae

    train = " ".join(["keras-aae", *run_record["command"]])
    dataset = run_record["arguments"]["dataset"]
    rows = "\n".join(
        f"| {label} | {_lookup(result, keys):.4g} |" for label, keys in FIGURES
    )
    text = f"""# {name}

An unsupervised adversarial autoencoder trained on {dataset} by `keras-aae`
{keras_aae.__version__}; ![decoded prior samples](samples.png)

Trained with ({epochs} epochs, {seconds / 60:.1f} min of training on a {_machine()}):

```bash
TFDS_DATA_DIR=../shared/data/tensorflow_datasets {train}
```

Scored with `{" ".join(["keras-aae", *_shown(command[3:])])}`:

| figure | value |
| --- | --- |
{rows}

- `decoder/`: SavedModel, `serving_default(codes) -> {{"images"}}`; `prior.json` beside
  it is the prior its codes come from.
- `encoder/`: SavedModel, `serving_default(images) -> {{"codes"}}` (the posterior's mean).
- `model.keras`: `keras_aae.load_model` (weights, prior and posterior; no optimizer
  state).

Both SavedModels serve with TensorFlow alone:

```python
import numpy as np, tensorflow as tf
decoder = tf.saved_model.load("saved_models/{name}/decoder")
codes = np.random.default_rng(0).normal(size=(16, {run_record["arguments"]["latent_dim"]})).astype("float32")
images = decoder.signatures["serving_default"](codes=codes)["images"]
```

The whole `keras-aae evaluate` output:

```json
{json.dumps(result, indent=1)}
```
"""
    with open(path, "w") as f:
        f.write(text)


def draw_figures(dest, dataset="mnist"):
    """Writes `samples.png` (64 decoded prior draws, seed 0, as `keras-aae
    train` draws them) and `latent.png` (the test codes, by digit) from
    `dest/model.keras`."""
    from keras_aae import data
    from keras_aae import evaluation
    from keras_aae import images
    from keras_aae import load_model
    from keras_aae import plots

    model = load_model(os.path.join(dest, "model.keras"))
    codes = model.sample_codes(64, seed=0)
    images.save_image_grid(
        model.decoder.predict(codes, verbose=0),
        os.path.join(dest, "samples.png"),
    )
    x_test, y_test = data.load_arrays(dataset, "test")
    figure = plots.latent_figure(
        evaluation.latent_codes(model, x_test[:2000]),
        y_test[:2000],
        title=f"{os.path.basename(dest)}: {dataset} test codes",
        method="tsne",
    )
    plots.save_figure(figure, os.path.join(dest, "latent.png"))


def main(argv=None):
    args = parse_args(argv)
    dest = os.path.join(args.dest, args.name)
    if args.figures_only:
        draw_figures(dest, args.dataset)
        return
    if not args.run:
        raise SystemExit("--run is required unless --figures-only")
    os.makedirs(dest, exist_ok=True)
    for network in ("decoder", "encoder"):
        shutil.rmtree(os.path.join(dest, network), ignore_errors=True)
        shutil.copytree(
            os.path.join(args.run, network), os.path.join(dest, network)
        )
    for figure in ("samples.png", "latent.png", "curves.png"):
        if os.path.exists(os.path.join(args.run, figure)):
            shutil.copy(os.path.join(args.run, figure), dest)
    _weights_only_copy(args.run, os.path.join(dest, "model.keras"))
    with open(os.path.join(args.run, "run.json")) as f:
        run_record = json.load(f)
    command, result = _evaluate(args, run_record["arguments"]["dataset"])
    epochs, seconds = _training(args.run)
    write_card(
        os.path.join(dest, "README.md"),
        args.name,
        run_record,
        command,
        result,
        epochs,
        seconds,
    )
    print(json.dumps({"dest": dest, "epochs": epochs, "seconds": seconds}))


if __name__ == "__main__":
    main()
