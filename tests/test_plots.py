"""Tests of keras_aae.plots"""

import numpy as np
import pytest
import tensorflow as tf
from matplotlib.figure import Figure

from keras_aae import callbacks
from keras_aae import plots


def _clusters(n=300, dims=16, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    centres = rng.normal(scale=10.0, size=(classes, dims))
    return centres[labels] + rng.normal(size=(n, dims)), labels


def test_project_names_the_projection_and_keeps_clusters_apart():
    codes, labels = _clusters()
    points, description = plots.project(codes)
    assert points.shape == (300, 2) and description == "PCA of 16-D codes"
    # PCA keeps the three clusters apart: nearest neighbours share a label.
    d = ((points[:, None] - points[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert np.mean(labels[d.argmin(1)] == labels) > 0.95
    tsne, description = plots.project(codes[:60], method="tsne")
    assert tsne.shape == (60, 2) and description == "t-SNE of 16-D codes"
    flat, description = plots.project(codes[:, :1])
    assert description == "1-D codes" and (flat[:, 1] == 0).all()
    same, description = plots.project(codes[:, :2])
    assert description == "2-D codes"
    np.testing.assert_array_equal(same, codes[:, :2])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "umap"}, "method='umap'"),
        ({"codes": np.zeros(5)}, r"shape=\(5,\)"),
    ],
)
def test_project_refuses_bad_input(kwargs, message):
    arguments = {"codes": np.zeros((5, 3)), **kwargs}
    with pytest.raises(ValueError, match=message):
        plots.project(**arguments)


def test_latent_figure_has_axes_title_and_a_legend_entry_per_class():
    codes, labels = _clusters(classes=12)
    figure = plots.latent_figure(codes, labels, title="AAE on digits, epoch 3")
    (axes,) = figure.axes
    assert axes.get_title() == "AAE on digits, epoch 3\n(PCA of 16-D codes)"
    assert axes.get_xlabel() == "PC 1" and axes.get_ylabel() == "PC 2"
    texts = [t.get_text() for t in axes.get_legend().get_texts()]
    assert texts == [str(c) for c in range(12)]
    # Twelve classes: twelve distinct colours.
    colours = {tuple(c) for c in plots.class_colours(12)}
    assert len(colours) == 12


def test_latent_figure_marks_groups_and_draws_into_given_axes():
    codes, labels = _clusters()
    figure = Figure()
    left, right = figure.subplots(1, 2)
    drawn = plots.latent_figure(
        codes,
        labels,
        groups=np.arange(300) % 2,
        group_names=["source", "target"],
        class_names=["a", "b", "c"],
        axes=right,
    )
    assert drawn is figure and not left.collections
    markers = {c.get_paths()[0].vertices.shape for c in right.collections}
    assert len(markers) == 2  # circles and crosses
    texts = [t.get_text() for t in right.get_legend().get_texts()]
    assert texts == ["a", "b", "c", "source", "target"]
    with pytest.raises(ValueError, match="one value of `labels` per code"):
        plots.latent_figure(codes, labels[:10])


def test_curves_from_a_csv_logger_file(tmp_path):
    path = str(tmp_path / "history.csv")
    logger = callbacks.CSVLogger(path)
    logger.on_train_begin()
    for epoch in range(4):
        logger.on_epoch_end(
            epoch,
            {
                "loss": 1.0,
                "reconstruction_loss": 1.0 / (epoch + 1),
                "discriminator_loss": 0.69,
                "generator_loss": 0.7,
                "discriminator_accuracy": 0.5 + epoch / 20,
                "epoch_seconds": 2.0,
            },
        )
    figure = plots.curves_figure(path, title="run")
    losses, accuracies = figure.axes
    assert [line.get_label() for line in losses.lines] == [
        "discriminator loss",
        "generator loss",
        "reconstruction loss",
    ]
    np.testing.assert_array_equal(losses.lines[0].get_xdata(), [1, 2, 3, 4])
    assert losses.get_yscale() == "log"
    assert [line.get_label() for line in accuracies.lines][0] == (
        "discriminator accuracy"
    )
    out = tmp_path / "curves.png"
    plots.save_figure(figure, str(out))
    # Written aside, then renamed: nothing else is left in the folder.
    assert {p.name for p in tmp_path.iterdir()} == {"history.csv", "curves.png"}
    assert tf.io.decode_png(tf.io.read_file(str(out))).shape[0] == 400
    with pytest.raises(ValueError, match="loss"):
        plots.curves_figure({"epoch_seconds": [1.0]})


def test_roc_figure_reports_each_rules_auroc():
    truth = np.array([0, 0, 1, 1])
    figure = plots.roc_figure(
        {"perfect": [0.1, 0.2, 0.8, 0.9], "inverted": [0.9, 0.8, 0.2, 0.1]},
        truth,
    )
    labels = [line.get_label() for line in figure.axes[0].lines][:2]
    assert labels == ["perfect (AUROC 1.000)", "inverted (AUROC 0.000)"]
