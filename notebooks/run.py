"""Executes notebooks in place, so that they are committed with their outputs.

    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python notebooks/run.py notebooks/03_*.ipynb

Each notebook runs in full mode (set `KERAS_AAE_SMALL=1` for the tests'
small mode) in a temporary working folder, so the files it writes (its
`runs/`) do not land in the tree; it imports this tree's `keras_aae`, and
finds `saved_models/` beside it. The outputs are trimmed before saving: standard error
(TensorFlow's start-up logs) is dropped and long text is cut, so that a
notebook stays small (under 1 MB) and shows its figures on a code host.
"""

import argparse
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

MAX_LINES = 40
MAX_BYTES = 1_000_000


def trim(notebook):
    """Drops standard-error output and cuts long text outputs."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.get("name") == "stderr":
                continue
            if "text" in output:
                lines = output["text"].splitlines(keepends=True)
                if len(lines) > MAX_LINES:
                    cut = len(lines) - MAX_LINES
                    output["text"] = "".join(
                        lines[:MAX_LINES] + [f"[... {cut} more lines]\n"]
                    )
            kept.append(output)
        cell.outputs = kept
        cell.execution_count = cell.get("execution_count")
    return notebook


def run(path, timeout):
    notebook = nbformat.read(path, as_version=4)
    root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [root, os.environ.get("PYTHONPATH", "")]
    )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with tempfile.TemporaryDirectory() as scratch:
        NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": scratch}},
        ).execute()
    nbformat.write(trim(notebook), path)
    size = os.path.getsize(path)
    print(f"{path}: {size / 1e6:.2f} MB")
    return size <= MAX_BYTES


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--timeout", type=int, default=3600)
    args = parser.parse_args()
    small = [run(path, args.timeout) for path in args.notebooks]
    if not all(small):
        print(f"a notebook is over {MAX_BYTES / 1e6:.0f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
