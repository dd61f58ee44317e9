"""Notebooks are executed (in small mode) so they cannot rot."""

import os

import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def test_quickstart_notebook_runs(tmp_path, mnist_dir, monkeypatch):
    monkeypatch.setenv("KERAS_AAE_SMALL", "1")
    monkeypatch.setenv("TFDS_DATA_DIR", mnist_dir)
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    path = os.path.join(ROOT, "notebooks", "01_quickstart.ipynb")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = "".join(
        o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "max |SavedModel - live decoder|" in outputs
    assert (tmp_path / "runs" / "quickstart" / "samples.png").exists()
    assert (tmp_path / "runs" / "quickstart" / "decoder" / "saved_model.pb").exists()
