"""Figures people read: latent codes, training curves, ROC curves.

Each function returns a `matplotlib.figure.Figure` built with matplotlib's
object API (no `pyplot`: no display, no global figure state), which a
notebook shows as it is and `save_figure` writes as a PNG. Codes of more than
two dimensions are projected to two with scikit-learn (PCA or t-SNE), and
the title names the projection.

Example:

>>> import numpy as np
>>> from keras_aae import plots
>>> codes = np.random.default_rng(0).normal(size=(100, 8))
>>> labels = np.arange(100) % 10
>>> figure = plots.latent_figure(codes, labels, title="Gaussian codes")
>>> print(figure.axes[0].get_title())
Gaussian codes
(PCA of 8-D codes)
"""

import csv
import math
import os

import numpy as np
from matplotlib.figure import Figure

from keras_aae._io import atomic_path

PROJECTIONS = ("pca", "tsne")
TSNE_ITERATIONS = 400
TSNE_ANGLE = 0.8
# The markers of the groups drawn in one latent figure (e.g. two domains).
_MARKERS = ("o", "x", "^", "s", "+", "v")


def project(codes, method="pca", seed=0):
    """Projects codes `(n, d)` to two dimensions for a scatter plot.

    Args:
        codes: Array `(n, d)`, `d >= 1`; a 1-D code gets a zero second axis.
        method: `"pca"` (linear, fast, keeps distances between clusters) or
            `"tsne"` (neighbourhoods, slower).
        seed: Seed of t-SNE's initialisation.

    Returns:
        `(points, description)`: an array `(n, 2)` and the words that name
        the projection in a title (`"PCA of 64-D codes"`, `"2-D codes"`).

    Raises:
        ValueError: On a `method` other than those of `PROJECTIONS`, or codes
            that are not `(n, d)`.
    """
    if method not in PROJECTIONS:
        raise ValueError(
            f"Expected `method` to be one of {PROJECTIONS}. "
            f"Received: method={method!r}"
        )
    codes = np.asarray(codes, dtype="float64")
    if codes.ndim != 2 or not codes.shape[1]:
        raise ValueError(
            f"Expected codes of shape (n, d). Received: shape={codes.shape}"
        )
    dims = codes.shape[1]
    if dims <= 2:
        points = np.pad(codes, ((0, 0), (0, 2 - dims)))
        return points, f"{dims}-D codes"
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(2).fit_transform(codes), f"PCA of {dims}-D codes"
    from sklearn.manifold import TSNE

    perplexity = min(30.0, max(2.0, (len(codes) - 1) / 3))
    # 400 iterations at Barnes-Hut angle 0.8, not scikit-learn's 1,000 at
    # 0.5: 2,000 MNIST codes in about 3.7 s instead of 12 s on a 2-core
    # CPU, with the same islands by eye; 300 or fewer leave them stringy
    # (benchmarks/README.md, issue 28).
    tsne = TSNE(
        2,
        perplexity=perplexity,
        init="pca",
        max_iter=TSNE_ITERATIONS,
        angle=TSNE_ANGLE,
        random_state=seed,
    )
    return tsne.fit_transform(codes), f"t-SNE of {dims}-D codes"


def class_colours(num_classes):
    """One distinct RGBA colour per class: tab10, tab20, then a rainbow."""
    from matplotlib import colormaps

    if num_classes <= 10:
        return colormaps["tab10"](np.arange(num_classes))
    if num_classes <= 20:
        return colormaps["tab20"](np.arange(num_classes))
    return colormaps["turbo"](np.linspace(0.05, 0.95, num_classes))


def latent_figure(
    codes,
    labels=None,
    title=None,
    method="pca",
    class_names=None,
    groups=None,
    group_names=None,
    seed=0,
    axes=None,
):
    """A scatter plot of codes with axes, a legend per class and a title.

    Paper figures 2, 4 and 11: the test set in the latent space, coloured by
    class. A second grouping (e.g. the domain, in domain adaptation) is drawn
    with its own marker and named in the legend below the classes.

    Args:
        codes: Array `(n, d)`; projected with `project` when `d > 2`.
        labels: Optional int labels `(n,)`, one colour each (-1: unlabeled,
            black).
        title: The title's first words (the model, its data, its epoch); the
            projection is added in parentheses.
        method: Projection for `d > 2`: `"pca"` or `"tsne"`.
        class_names: Optional names of the labels (default: the numbers).
        groups: Optional int groups `(n,)`, one marker each.
        group_names: Optional names of the groups, indexed by group.
        seed: Seed of t-SNE.
        axes: Optional `matplotlib.axes.Axes` to draw into (e.g. one panel
            of a before/after figure); a new figure otherwise.

    Returns:
        The `matplotlib.figure.Figure` drawn into.

    Raises:
        ValueError: If `labels` or `groups` do not give one value per code.
    """
    points, description = project(codes, method, seed)
    labels = _per_point(labels, len(points), "labels")
    groups = _per_point(groups, len(points), "groups")
    if axes is None:
        axes = Figure(figsize=(6.4, 5.2), layout="constrained").add_subplot()
    classes, group_ids = np.unique(labels), np.unique(groups)
    colours = class_colours(max(int(classes.max()) + 1, 1))
    names = class_names or [str(c) for c in range(len(colours))]
    # Few points get bigger dots; thousands stay small enough to see shape.
    size = float(np.clip(8000 / max(len(points), 1), 5, 30))
    for g, group in enumerate(group_ids):
        marker = _MARKERS[g % len(_MARKERS)]
        for c in classes:
            chosen = (labels == c) & (groups == group)
            if chosen.any():
                axes.scatter(
                    *points[chosen].T,
                    s=size if marker == "o" else 2 * size,
                    marker=marker,
                    color=colours[c] if c >= 0 else "black",
                    alpha=0.6,
                    linewidths=0 if marker == "o" else 0.7,
                )
    axis = {"PCA": "PC", "t-SNE": "t-SNE"}.get(description.split()[0], "code")
    axes.set_xlabel(f"{axis} 1")
    axes.set_ylabel(f"{axis} 2")
    axes.set_title(f"{title}\n({description})" if title else description)
    axes.grid(alpha=0.3)
    handles = [_legend_entry(colours, names, c) for c in classes]
    if group_names is not None:
        handles += [
            _legend_entry(None, group_names, group, _MARKERS[g % len(_MARKERS)])
            for g, group in enumerate(group_ids)
        ]
    if len(handles) > 1 or classes[0] >= 0:
        axes.legend(
            handles=handles,
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            ncols=math.ceil(len(handles) / 18),
            frameon=False,
        )
    return axes.figure


def _legend_entry(colours, names, index, marker="o"):
    """A legend entry: a class's colour (-1: unlabeled), or, without
    colours, a group's marker in grey."""
    from matplotlib.lines import Line2D

    if colours is None:
        colour, label = "dimgray", names[index]
    elif index < 0:
        colour, label = "black", "unlabeled"
    else:
        colour, label = colours[index], names[index]
    return Line2D(
        [], [], marker=marker, linestyle="", color=colour, label=label
    )


def _per_point(values, n, name):
    """Int values, one per point; zeros when absent."""
    if values is None:
        return np.zeros(n, dtype="int64")
    values = np.asarray(values).astype("int64").reshape(-1)
    if len(values) != n:
        raise ValueError(
            f"Expected one value of `{name}` per code ({n}). "
            f"Received: {len(values)} values"
        )
    return values


def read_history(path):
    """Reads a `history.csv` (Keras' `CSVLogger`) into columns of floats.

    Args:
        path: The CSV file.

    Returns:
        A dict from column name to a float array (NaN where a cell is empty).
    """
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = rows[0].keys() if rows else []
    return {
        name: np.array([_float(row.get(name)) for row in rows])
        for name in columns
    }


def _float(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def curves_figure(history, title="Training curves"):
    """The losses (left) and the accuracies (right) per epoch.

    The three phases' losses (reconstruction, discriminator, generator) and
    any other `*_loss` a variant logs share a log-scaled axis; the
    discriminators' accuracies share a second one, with chance (0.5) marked:
    an accuracy that leaves it for good means the discriminator is winning.
    Validation columns (`val_*`) are dashed.

    Args:
        history: A dict of columns (`read_history`, or a `keras.callbacks.
            History`'s `history`), or the path of a `history.csv`.
        title: The figure's title.

    Returns:
        A `matplotlib.figure.Figure`.

    Raises:
        ValueError: If the history has no loss column.
    """
    if isinstance(history, (str, os.PathLike)):
        history = read_history(history)
    history = {k: np.asarray(v, dtype="float64") for k, v in history.items()}
    losses = sorted(k for k in history if k.endswith("loss") and k != "loss")
    accuracies = sorted(k for k in history if k.endswith("accuracy"))
    if not losses and "loss" in history:
        losses = ["loss"]
    if not losses:
        raise ValueError(
            "Expected a history with `*_loss` columns. "
            f"Received columns: {sorted(history)}"
        )
    figure = Figure(figsize=(11, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    for axes, names, ylabel in (
        (left, losses, "loss"),
        (right, accuracies, "accuracy"),
    ):
        for name in names:
            values = history[name]
            # CSVLogger's `epoch` column counts from 0.
            epochs = history.get("epoch", np.arange(len(values))) + 1
            axes.plot(
                epochs,
                values,
                linestyle="--" if name.startswith("val_") else "-",
                marker="." if len(values) < 30 else None,
                label=name.replace("_", " "),
            )
        axes.set_xlabel("epoch")
        axes.set_ylabel(ylabel)
        axes.grid(alpha=0.3)
        if len(names) > 4:
            # Beside the panel: inside, many curves' names hide the curves.
            axes.legend(
                fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1)
            )
        elif names:
            axes.legend(fontsize="small")
    if all(np.nanmin(history[k]) > 0 for k in losses):
        left.set_yscale("log")
    if accuracies:
        right.axhline(0.5, color="gray", linewidth=0.8, linestyle=":")
        right.set_ylim(-0.02, 1.02)
    else:
        right.set_axis_off()
    left.set_title("losses")
    right.set_title("discriminator accuracy (0.5 = chance)")
    figure.suptitle(title)
    return figure


def roc_figure(scores, is_anomaly, title="ROC curves"):
    """ROC curves of anomaly scores, one per scoring rule, with their AUROC.

    Args:
        scores: Dict from a scoring rule's name to scores `(n,)`; higher
            means more anomalous.
        is_anomaly: Bool array `(n,)`, the truth.
        title: The figure's title.

    Returns:
        A `matplotlib.figure.Figure`.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve

    figure = Figure(figsize=(4.8, 4.4), layout="constrained")
    axes = figure.add_subplot()
    for name, values in scores.items():
        fpr, tpr, _ = roc_curve(is_anomaly, values)
        auroc = roc_auc_score(is_anomaly, values)
        axes.plot(fpr, tpr, label=f"{name} (AUROC {auroc:.3f})")
    axes.plot([0, 1], [0, 1], color="gray", linewidth=0.8, linestyle=":")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize="small")
    axes.grid(alpha=0.3)
    return figure


def save_figure(figure, path, dpi=100):
    """Writes a figure as a PNG at `path` atomically.

    Args:
        figure: A `matplotlib.figure.Figure`.
        path: The PNG path.
        dpi: Dots per inch.
    """
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=dpi, format="png")
