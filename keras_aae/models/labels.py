"""Labels as the phases read them: int32, -1 for "unlabeled"."""

from keras import ops


def int_labels(y):
    """Labels `(n,)` or `(n, 1)` as a flat int32 tensor `(n,)`."""
    return ops.reshape(ops.cast(y, "int32"), (-1,))
