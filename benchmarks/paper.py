"""The paper's tables, one row per command: figure against epochs and hours.

Makhzani et al. (2015), tables 2 and 3, figures 4, 6 and 11, and the
anomaly-detection use of the seeds. Each row trains a `keras_aae.recipes`
recipe with `fit` and the package's `BackupAndRestore`: rerun the same
command and it continues from the last finished epoch (a killed run loses at
most one epoch). Every `--every` epochs (and after the last, or when
`--minutes` runs out) it appends the row's figure to `curve.csv` in `--out`
with the epoch and the cumulative training hours, and prints it.

Rows (`ROW`, the paper's figure in brackets):
  semi100, semi1000, semiall  semi-supervised test error (1.90 %, -, 0.85 %)
  cluster16, cluster30        clustering test error, paper's rule (9.55 %,
                              4.10 %)
  label_mixture,              share of test codes in their label's component
  label_swiss_roll            (section 2.3); writes latent.png
  supervised                  share of 1,000 test styles x 10 labels the
                              judge reads as the label they were decoded
                              with (figure 6; target 95 %); writes
                              styles.png
  dimred                      2-D representation, 1,000 labels: test error;
                              writes latent.png (figure 11)
  anomaly_holdout             one digit held out of training, for each digit
  anomaly_one_class           trained on one digit, the nine others are the
                              anomalies (OCGAN's protocol: mean AUROC 97.5)
A run that `--minutes` stopped keeps training when rerun; rerun it with
`--epochs` set to the epochs it did to end it there: `fit` then only
restores the backup and leaves the weight average in the model, which is
saved with the row's figures (and shipped with `--ship`).
The anomaly rows train ten models (`--out`/digit<d>, each resumable) and
print the AUROC of every `keras_aae.scores` score (reconstruction error,
the training codes' density, both combined) per digit (class, with
`--dataset fashion_mnist`) and their mean.

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets \\
        python benchmarks/paper.py semi100 --out runs/paper/semi100 \\
        --epochs 1000 --every 5 --minutes 60
"""

import argparse
import csv
import json
import os
import shlex
import shutil
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

# Row -> (default recipe, recipe fields the row fixes, figure).
ROWS = {
    "semi100": ("fast_semi_supervised", {"num_labels": 100}, "test_error"),
    "semi1000": ("fast_semi_supervised", {"num_labels": 1000}, "test_error"),
    "semiall": ("fast_semi_supervised", {"num_labels": None}, "test_error"),
    "cluster16": ("fast_clustering", {"num_classes": 16}, "clustering_error"),
    "cluster30": ("fast_clustering", {"num_classes": 30}, "clustering_error"),
    "label_mixture": ("fast_label_informed", {}, "own_component_rate"),
    "label_swiss_roll": (
        "fast_label_informed",
        {"prior": "swiss_roll"},
        "own_component_rate",
    ),
    "supervised": ("fast_supervised", {}, "style_transfer_accuracy"),
    "dimred": ("fast_dimensionality_reduction", {}, "test_error"),
    "anomaly_holdout": ("fast_anomaly", {}, "auroc"),
    "anomaly_one_class": ("fast_anomaly", {}, "auroc"),
}
CURVE = "curve.csv"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ("epoch", "hours", "figure", "value", "extra")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("row", choices=sorted(ROWS))
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--recipe",
        help="a keras_aae.recipes name (default: the row's fast_* recipe; "
        "paper_* are the appendix's)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=JSON",
        help="change a recipe field, e.g. --set batch_size=200 or "
        "--set 'model_arguments={\"discriminator_steps\": 2}' (merged)",
    )
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--ship",
        metavar="NAME",
        help="after the last epoch, export the encoder into "
        "saved_models/NAME with a card (the figure, the curve, the recipe)",
    )
    parser.add_argument(
        "--digits", type=int, nargs="+", default=list(range(10))
    )
    parser.add_argument(
        "--dataset",
        default="mnist",
        choices=("mnist", "fashion_mnist"),
        help="the anomaly rows' dataset (the other rows are MNIST's)",
    )
    return parser.parse_args(argv)


def row_recipe(args):
    """The row's recipe, with the row's fields and `--set` changes."""
    from keras_aae import recipes

    name, fixed, _ = ROWS[args.row]
    recipe = recipes.get(args.recipe or name)
    fixed = dict(fixed)
    prior = fixed.pop("prior", None)
    if prior:
        fixed["model_arguments"] = {**recipe.model_arguments, "prior": prior}
    for item in args.set:
        field, _, value = item.partition("=")
        value = json.loads(value)
        if field == "model_arguments":
            # On top of the row's own (a `prior`), not in their place.
            kept = fixed.get("model_arguments", recipe.model_arguments)
            value = {**kept, **value}
        fixed[field] = value
    return recipe.replace(**fixed)


def _hours_so_far(path):
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return 0.0
    return float(rows[-1]["hours"]) if rows else 0.0


def _append(path, row):
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)


def make_curve(args, out, measure, figure):
    """A callback appending `measure(model)` to `out/curve.csv`."""
    import keras

    path = os.path.join(out, CURVE)

    class Curve(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            self.hours_before = _hours_so_far(path)

        def on_epoch_end(self, epoch, logs=None):
            elapsed = time.perf_counter() - self.start
            done = epoch + 1
            out_of_time = args.minutes and elapsed > 60 * args.minutes
            if done % args.every == 0 or done == args.epochs or out_of_time:
                pause = time.perf_counter()
                figures = measure(self.model)
                row = {
                    "epoch": done,
                    "hours": round(self.hours_before + elapsed / 3600, 4),
                    "figure": figure,
                    "value": round(figures.pop(figure), 5),
                    "extra": json.dumps(
                        {
                            **figures,
                            **{k: round(float(v), 5) for k, v in logs.items()},
                        }
                    ),
                }
                _append(path, row)
                print(json.dumps({"row": args.row, **row}), flush=True)
                # Measuring is not training time.
                self.start += time.perf_counter() - pause
            if out_of_time:
                self.model.stop_training = True

    return Curve()


def train(recipe, args, out, x, y, measure, figure):
    """Trains `recipe` into `out`, resuming its backup; returns the model
    (None when `--minutes` stopped it before `--epochs`)."""
    import keras

    from keras_aae import callbacks
    from keras_aae import data

    os.makedirs(out, exist_ok=True)
    model_path = os.path.join(out, "model.keras")
    backup = os.path.join(out, "backup")
    if os.path.exists(model_path) and not os.path.exists(backup):
        return keras.models.load_model(model_path)
    keras.utils.set_random_seed(args.seed)
    model = recipe.build(
        x.shape[1:], recipe.steps_per_epoch(len(x)), seed=args.seed
    )
    order = data.EpochOrder(seed=args.seed)
    with open(os.path.join(out, "recipe.json"), "w") as f:
        json.dump(recipe.get_config(), f, indent=1)
    # The backup holds the raw weights; the curve measures the weight
    # average that `fit` ends with, when the recipe keeps one.
    steps = [
        order,
        callbacks.BackupAndRestore(backup, delete_checkpoint=False),
    ]
    if getattr(model.optimizer, "use_ema", False):
        steps.append(keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    model.fit(
        recipe.dataset(x, y, seed=args.seed, order=order),
        epochs=args.epochs,
        verbose=0,
        callbacks=steps + [make_curve(args, out, measure, figure)],
    )
    model.save(model_path)
    done = callbacks.BackupAndRestore.finished_epochs(backup)
    if done < args.epochs:
        print(
            f"Stopped after {done} epochs: rerun to go on, or rerun with "
            f"--epochs {done} to end there (weight average, figures).",
            flush=True,
        )
        return None
    return model


def write_figures(model, x_test, y_test, out):
    """The row's pictures: latent scatter, style grid, reconstructions."""
    from keras_aae import evaluation
    from keras_aae import images
    from keras_aae import plots

    figure = plots.latent_figure(
        evaluation.latent_codes(model, x_test[:5000]),
        y_test[:5000],
        title=f"{type(model).__name__}: test codes",
    )
    plots.save_figure(figure, os.path.join(out, "latent.png"))
    if hasattr(model, "transfer_style"):
        grid = model.transfer_style(x_test[:10])
        images.save_image_grid(
            grid.reshape((-1,) + grid.shape[2:]),
            os.path.join(out, "styles.png"),
            columns=grid.shape[1],
        )


def row_figures(row, splits):
    """`measure(model)`: the row's figures (`evaluation.variant_figures`);
    for `supervised` also the judge's reading of 1,000 test styles decoded
    with each label (`evaluation.style_transfer_accuracy`)."""
    from keras_aae import evaluation

    judge = None
    if row == "supervised":
        judge = evaluation.judge_classifier(*splits["train"], "mnist")

    def measure(model):
        figures = evaluation.variant_figures(model, splits)
        if judge is not None:
            grid = model.transfer_style(splits["test"][0][:1000])
            styles = evaluation.style_transfer_accuracy(judge, grid)
            figures["style_transfer_accuracy"] = styles[
                "style_transfer_accuracy"
            ]
        return figures

    return measure


def run_variant(args, splits):
    recipe = row_recipe(args)
    figure = ROWS[args.row][2]
    x, y = splits["train"]
    model = train(
        recipe, args, args.out, x, y, row_figures(args.row, splits), figure
    )
    if model is not None:
        write_figures(model, *splits["test"], args.out)
        if args.ship:
            ship(args, model, recipe)


def _curve_rows(out):
    with open(os.path.join(out, CURVE)) as f:
        return list(csv.DictReader(f))


def _machine():
    import platform

    with open("/proc/cpuinfo") as f:
        simd = "AVX-512" if "avx512f" in f.read() else "AVX2"
    return f"{os.cpu_count()}-core {platform.machine()} CPU ({simd}), no GPU"


def ship(args, model, recipe):
    """Exports the model into `saved_models/<--ship>` with a card.

    A classifier or clusterer ships its encoder alone: with 2x1000 MLPs the
    decoder and the discriminators would take the folder past the size a
    shipped model may weigh, and classifying or clustering needs only
    `q(y|x)`. A supervised model ships its encoder and decoder (figure 6
    needs both) and the grid of `styles.png`.
    """
    import keras_aae
    from keras_aae import export

    dest = os.path.join(ROOT, "saved_models", args.ship)
    export.export_encoder(model, os.path.join(dest, "encoder"))
    supervised = isinstance(model, keras_aae.SupervisedAdversarialAutoencoder)
    if supervised:
        export.export_decoder(model, os.path.join(dest, "decoder"))
        shutil.copy(
            os.path.join(args.out, "styles.png"),
            os.path.join(dest, "styles.png"),
        )
    rows = _curve_rows(args.out)
    last = rows[-1]
    curve = "\n".join(
        f"| {r['epoch']} | {float(r['hours']):.2f} | {float(r['value']):.4f} |"
        for r in rows[:: max(1, len(rows) // 12)] + rows[-1:]
    )
    recipe_flag = f" --recipe {args.recipe}" if args.recipe else ""
    # `--set` changes too, quoted for the shell, so the card's command
    # trains the model it describes.
    recipe_flag += "".join(f" --set {shlex.quote(item)}" for item in args.set)
    what = "encoder and decoder" if supervised else "encoder"
    extra = json.loads(last["extra"])
    used = (
        f" ({extra['clusters_used']} of {extra['num_clusters']} clusters used)"
        if "clusters_used" in extra
        else ""
    )
    usage = (
        _supervised_usage(args) if supervised else _encoder_usage(args, model)
    )
    text = f"""# {args.ship}

The {what} of a `{type(model).__name__}` (Makhzani et al., 2015) trained
on MNIST by `keras-aae` {keras_aae.__version__} with the recipe
`{args.recipe or ROWS[args.row][0]}` ({recipe.description.rstrip(".")}).

**{last["figure"].replace("_", " ")}: {float(last["value"]):.4f}**{used} on the MNIST
test set after {last["epoch"]} epochs, {float(last["hours"]):.2f} h of training
on a {_machine()}.

```bash
TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/paper.py \\
    {args.row}{recipe_flag} --out runs/paper/{args.row} --epochs {last["epoch"]} --ship {args.ship}
```
{usage}
The figure against training (`curve.csv`, the weight average measured):

| epoch | hours | {last["figure"]} |
| --- | --- | --- |
{curve}

The recipe (`recipe.json`):

```json
{json.dumps(recipe.get_config(), indent=1)}
```
"""
    with open(os.path.join(dest, "README.md"), "w") as f:
        f.write(text)
    print(json.dumps({"shipped": dest}), flush=True)


def _encoder_usage(args, model):
    k = model.num_categories
    return f"""
`encoder/` is a SavedModel, `serving_default(images) -> {{"codes"}}` for
`(n, 28, 28, 1)` float32 images in [0, 1]; the first {k} entries of a code are
`q(y|x)`, the rest the style. It serves with TensorFlow alone:

```python
import tensorflow as tf
encoder = tf.saved_model.load("saved_models/{args.ship}/encoder")
codes = encoder.signatures["serving_default"](images=images)["codes"]
categories = tf.argmax(codes[:, :{k}], axis=1)  # class or cluster
```

Only the encoder ships: with 2x1000 MLPs the decoder and the discriminators
would take this folder past 10 MB. The command above retrains the whole
model (resumable from its backup).
"""


def _supervised_usage(args):
    return f"""
`encoder/` and `decoder/` are SavedModels that serve with TensorFlow alone:
`encoder.serving_default(images) -> {{"codes"}}` gives the style of
`(n, 28, 28, 1)` float32 images in [0, 1], and
`decoder.serving_default(codes) -> {{"images"}}` reads a style followed by
a one-hot label. Any style decoded with label `j` writes digit `j` in that
style (figure 6, `styles.png`: a test image's style per row, labels 0-9 in
the columns):

```python
import tensorflow as tf
encoder = tf.saved_model.load("saved_models/{args.ship}/encoder")
decoder = tf.saved_model.load("saved_models/{args.ship}/decoder")
style = encoder.signatures["serving_default"](images=images)["codes"]
label = tf.one_hot(tf.fill([len(style)], 7), 10)  # write sevens
sevens = decoder.signatures["serving_default"](
    codes=tf.concat([style, label], axis=1))["images"]
```

![styles](styles.png)

`python benchmarks/style_transfer.py saved_models/{args.ship}` measures the
figure above from these two SavedModels.
"""


def run_anomaly(args, splits):
    from keras_aae import evaluation
    from keras_aae import scores

    recipe = row_recipe(args)
    one_class = args.row == "anomaly_one_class"
    (x, y), (x_test, y_test) = splits["train"], splits["test"]
    score = (
        evaluation.one_class_auroc
        if one_class
        else evaluation.held_out_class_auroc
    )
    results = {}
    for digit in args.digits:
        keep = (y == digit) if one_class else (y != digit)

        def measure(m, digit=digit, score=score, keep=keep):
            aurocs = score(m, x_test, y_test, digit, x[keep])
            return {"auroc": aurocs[scores.DEFAULT_SCORE], **aurocs}

        out = os.path.join(args.out, f"digit{digit}")
        model = train(recipe, args, out, x[keep], y[keep], measure, "auroc")
        if model is None:
            return
        results[digit] = score(model, x_test, y_test, digit, x[keep])
    summary = {
        "row": args.row,
        "dataset": args.dataset,
        "epochs": args.epochs,
        "hours": round(
            sum(
                _hours_so_far(os.path.join(args.out, f"digit{d}", CURVE))
                for d in args.digits
            ),
            3,
        ),
    }
    for name in results[args.digits[0]]:
        per_digit = {d: round(r[name], 4) for d, r in results.items()}
        summary[name] = per_digit
        summary[f"mean_{name}"] = round(
            float(np.mean(list(per_digit.values()))), 4
        )
    with open(os.path.join(args.out, "aurocs.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary), flush=True)


def main(argv=None):
    args = parse_args(argv)
    if args.ship and not args.row.startswith(("semi", "cluster", "super")):
        raise SystemExit(
            "--ship exports a classifier, a clusterer or a supervised model: "
            f"rows semi*, cluster* and supervised. Received: {args.row}"
        )
    from keras_aae import data

    if args.dataset != "mnist" and not args.row.startswith("anomaly"):
        raise SystemExit(
            "--dataset applies to the anomaly rows; the paper's tables are "
            f"MNIST's. Received: --dataset {args.dataset} for {args.row}"
        )
    splits = data.load_splits(args.dataset)
    if args.row.startswith("anomaly"):
        run_anomaly(args, splits)
    else:
        run_variant(args, splits)


if __name__ == "__main__":
    main()
