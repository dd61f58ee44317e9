"""A cache of decoded tensorflow-datasets splits, as numpy arrays.

Reading MNIST's training split through TFDS decodes 60,000 PNGs: about 4 s
after the first time on a 2-core CPU, while the seed tutorial's script reads
its raw IDX files in about half a second. `load_arrays` keeps each split it
decoded as an uncompressed `.npz` of its images (in the dataset's own dtype,
`uint8` for MNIST) and labels, and reads that instead (about 0.1 s) for as
long as the prepared TFDS files it came from are unchanged: each entry
records the TFDS version folder it was decoded from and every file's name,
size and modification time in it.

The cache lives in `$KERAS_AAE_CACHE/arrays`, else
`~/.cache/keras_aae/arrays`;
`KERAS_AAE_CACHE=""` turns it off. Entries are written atomically, and
an entry that cannot be read or written is ignored (the data then comes
from TFDS as without a cache).

Example:

>>> from keras_aae.data import cache
>>> entry = cache.ArrayCache.default()
>>> # entry.load("mnist", "train", data_dir) -> (images, labels) or None
"""

import hashlib
import json
import os
import re

import numpy as np

from keras_aae._io import CACHE_DIR_VARIABLE
from keras_aae._io import atomic_path
from keras_aae._io import cache_directory

__all__ = ["CACHE_DIR_VARIABLE", "ArrayCache", "folder_fingerprint"]
_FORMAT = 1


def folder_fingerprint(folder):
    """What identifies a prepared TFDS folder's contents: its files' names,
    sizes and modification times (a re-prepared dataset changes them)."""
    entries = []
    for name in sorted(os.listdir(folder)):
        stat = os.stat(os.path.join(folder, name))
        entries.append([name, stat.st_size, stat.st_mtime_ns])
    return entries


class ArrayCache:
    """Decoded splits on disk, keyed by dataset, split and TFDS folder.

    Args:
        directory: The cache folder; `None` turns the cache off (`load`
            returns `None`, `store` does nothing).

    Example:

    >>> import tempfile
    >>> store = ArrayCache(tempfile.mkdtemp())
    >>> store.load("mnist", "train", "/nowhere") is None
    True
    """

    def __init__(self, directory):
        self.directory = None if directory is None else os.fspath(directory)

    @classmethod
    def default(cls):
        """The cache in `$KERAS_AAE_CACHE/arrays`, else in
        `~/.cache/keras_aae/arrays`; off when the variable is empty."""
        return cls(cache_directory("arrays"))

    def _path(self, name, split, data_dir):
        key = json.dumps([_FORMAT, name, split, os.path.abspath(data_dir)])
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        readable = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        return os.path.join(self.directory, f"{readable}-{digest}.npz")

    def load(self, name, split, data_dir):
        """The cached `(images, labels)`, or `None` when there is no entry
        or the TFDS files it was decoded from have changed since."""
        if self.directory is None:
            return None
        path = self._path(name, split, data_dir)
        try:
            with np.load(path, allow_pickle=False) as entry:
                source = json.loads(str(entry["source"]))
                if folder_fingerprint(source["folder"]) != source["files"]:
                    return None
                return entry["images"], entry["labels"]
        except (OSError, ValueError, KeyError, TypeError):
            # Missing, half-copied by hand, or from another format: decode
            # the split again, as without a cache.
            return None

    def store(self, name, split, data_dir, folder, images, labels):
        """Keeps `images` and `labels`, decoded from the TFDS `folder`.

        Returns:
            Whether the entry was written (an unwritable cache folder is
            not an error: the next load decodes again).
        """
        if self.directory is None:
            return False
        source = {"folder": folder, "files": folder_fingerprint(folder)}
        try:
            with atomic_path(self._path(name, split, data_dir)) as tmp:
                with open(tmp, "wb") as f:
                    np.savez(
                        f,
                        images=images,
                        labels=labels,
                        source=np.array(json.dumps(source)),
                    )
        except OSError:
            return False
        return True
