"""Notebooks are executed (in small mode) so they cannot rot."""

import os

import nbformat
from nbclient import NotebookClient

from helpers import ROOT


def _execute(name, tmp_path, mnist_dir, monkeypatch):
    """Runs a notebook in small mode; returns the text it printed."""
    monkeypatch.setenv("KERAS_AAE_SMALL", "1")
    monkeypatch.setenv("TFDS_DATA_DIR", mnist_dir)
    monkeypatch.setenv(
        "PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
    )
    notebook = nbformat.read(
        os.path.join(ROOT, "notebooks", name), as_version=4
    )
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    return "".join(
        o.get("text", "")
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
    )


def test_quickstart_notebook_runs(tmp_path, mnist_dir, monkeypatch):
    outputs = _execute("01_quickstart.ipynb", tmp_path, mnist_dir, monkeypatch)
    assert "max |SavedModel - live decoder|" in outputs
    assert (tmp_path / "runs" / "quickstart" / "samples.png").exists()
    assert (
        tmp_path / "runs" / "quickstart" / "decoder" / "saved_model.pb"
    ).exists()


def test_paper_variants_notebook_runs(tmp_path, mnist_dir, monkeypatch):
    outputs = _execute(
        "02_paper_variants.ipynb", tmp_path, mnist_dir, monkeypatch
    )
    for figure in (
        "own_component_rate",
        "test error with 100 labels",
        "clustering_error",
        "AUROC for held-out digit",
        "AUROC trained on digit",
        "domain adaptation, target test accuracy",
        # The trained models' section: the shipped encoders, served by TF.
        "mnist-semi100: test error",
        "mnist-cluster16: clustering error",
    ):
        assert figure in outputs
    for name in (
        "label_informed.png",
        "styles.png",
        "embedding.png",
        "domain_adaptation.png",
    ):
        assert (tmp_path / "runs" / "variants" / name).stat().st_size > 1000
