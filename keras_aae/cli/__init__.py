"""The `keras-aae` command line: a thin layer over the library.

    keras-aae train --dataset mnist --epochs 10 --out runs/mnist
    keras-aae sample --decoder runs/mnist/decoder --num 64 --out grid.png
    keras-aae evaluate --model runs/mnist/model.keras --dataset mnist
    keras-aae score --model runs/mnist --images new_images --out scores.csv

One module per command (`train`, `sample`, `evaluate`, `score`), each with a
`run(args)`; `parser` builds the arguments without loading TensorFlow. User
errors (bad arguments, missing data) exit with status 2 and one line on
stderr that names the bad value; they never print a traceback.
"""

import contextlib
import importlib
import os
import sys

from keras_aae.cli.parser import PROG
from keras_aae.cli.parser import UsageError
from keras_aae.cli.parser import build_parser

__all__ = ["UsageError", "build_parser", "main"]


def main(argv=None):
    """Runs the command line; returns the exit status.

    Example:

    >>> # keras_aae.cli.main(["sample", "--decoder", "d", "--out", "g.png"])
    """
    try:
        args = build_parser().parse_args(argv)
        with _native_notices_silenced():
            command = importlib.import_module(f"keras_aae.cli.{args.command}")
        return command.run(args)
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


@contextlib.contextmanager
def _native_notices_silenced():
    """Silences TensorFlow's native start-up notices while it loads.

    Its C++ libraries write lines such as "Could not find cuda drivers" to
    file descriptor 2 before any Python or `TF_CPP_MIN_LOG_LEVEL` setting
    applies; they are not this program's output. `TF_CPP_MIN_LOG_LEVEL=0`
    shows them. Python errors still surface: they are raised, not written.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
