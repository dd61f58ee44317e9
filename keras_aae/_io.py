"""Atomic file and folder writes: written aside, then renamed into place.

A kill at any moment leaves either the old file or the new one where the
file belongs, never a half-written one.
"""

import contextlib
import os
import shutil
import tempfile

# Where the package keeps what it can compute again (decoded datasets, XLA
# programs); set empty to keep nothing.
CACHE_DIR_VARIABLE = "KERAS_AAE_CACHE"


def cache_directory(*parts):
    """A folder of the package's cache: `$KERAS_AAE_CACHE/parts...`,
    else `~/.cache/keras_aae/parts...`; `None` when the variable is set to
    an empty string (no cache)."""
    base = os.environ.get(CACHE_DIR_VARIABLE)
    if base is None:
        base = os.path.join(os.path.expanduser("~"), ".cache", "keras_aae")
    return os.path.join(base, *parts) if base else None


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary sibling of `path`; renames it onto `path` on success.

    Works for files and folders (e.g. a SavedModel). On an exception the
    temporary is removed and `path` is left untouched.

    Args:
        path: The final file or folder path.

    Yields:
        A path in the same folder to write to (it does not exist yet).
    """
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(parent, exist_ok=True)
    base = os.path.basename(path.rstrip(os.sep))
    scratch = tempfile.mkdtemp(prefix=f".{base}.", suffix=".tmp", dir=parent)
    # Keep the final name's suffix: Keras picks the format from it.
    tmp = os.path.join(scratch, base)
    try:
        yield tmp
        _replace(tmp, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _replace(src, dst):
    if os.path.isdir(src) and os.path.isdir(dst):
        # A folder cannot be renamed over a non-empty one: move the old one
        # aside first so that `dst` is only missing for one rename.
        old = dst.rstrip(os.sep) + ".old"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)
