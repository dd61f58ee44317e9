"""Notebooks are executed (in small mode) so they cannot rot."""

import os

import nbformat
import pytest
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


NOTEBOOKS = sorted(
    name
    for name in os.listdir(os.path.join(ROOT, "notebooks"))
    if name.endswith(".ipynb")
)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_with_its_figures_and_small(name):
    """On a code host a notebook shows what it committed: its outputs."""
    path = os.path.join(ROOT, "notebooks", name)
    assert os.path.getsize(path) < 1_000_000, "run notebooks/run.py to trim"
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    outputs = [o for c in code for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), name
    assert not [o for o in outputs if o.get("output_type") == "error"], name
    # Every cell executed, top to bottom in one kernel (setup cells may
    # print nothing).
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts) and None not in counts, counts


# Each notebook in small mode: what it must print, and the files (over
# 1 kB each) that it must write into runs/<folder>/.
RUNS = {
    "01_quickstart.ipynb": (
        "quickstart",
        ["max |SavedModel - live decoder|"],
        "samples.png curves.png latent.png decoder/saved_model.pb",
    ),
    "02_paper_variants.ipynb": (
        "variants",
        [
            "own_component_rate",
            "test error with 100 labels",
            "clustering_error",
            # The trained models' section: the shipped encoders, served by TF.
            "mnist-semi100: test error",
            "mnist-cluster16: clustering error",
            "mnist-supervised: figure 6",
        ],
        "label_informed.png styles.png embedding.png",
    ),
    "03_anomaly_detection.ipynb": (
        "anomaly",
        ["AUROC: {'reconstruction'", "most anomalous digits", "flagged:"],
        "roc_one_class.png roc_held_out.png extremes_one_class.png "
        "most_anomalous_held_out.png",
    ),
    "04_export_and_serving.ipynb": (
        "serving",
        [
            "inputs['codes'] tensor_info",  # saved_model_cli
            "keras_aae imported: False | images: (32, 28, 28, 1)",
            "max |TFLite - SavedModel|",
            "mnist-semi100 signature",
        ],
        "served.png decoder.tflite",
    ),
    "05_priors_and_latent_space.ipynb": (
        "priors",
        [],
        "priors.png manifold.png interpolations.png",
    ),
    "06_domain_adaptation.ipynb": (
        "domain_adaptation",
        ["adapted      source test accuracy", "target test accuracy"],
        "domains.png curves.png domain_adaptation.png",
    ),
}


def test_every_notebook_is_run_by_the_tests():
    assert sorted(RUNS) == NOTEBOOKS


@pytest.mark.parametrize("name", sorted(RUNS))
def test_notebook_runs_in_small_mode(name, tmp_path, mnist_dir, monkeypatch):
    folder, printed, written = RUNS[name]
    outputs = _execute(name, tmp_path, mnist_dir, monkeypatch)
    for text in printed:
        assert text in outputs, text
    for path in written.split():
        path = tmp_path / "runs" / folder / path
        assert path.stat().st_size > 1000, path
