"""Where the time of one `keras-aae train` process goes.

Runs the command line in this process, as `keras-aae train ARGS` would, and
times its parts: importing the package, `prepare` (data and model), `fit`
(with the seconds every callback's epoch hooks took, summed over the run),
`finish` (the `.keras` file, the exports, the latent projection and the
figures) and the interpreter's exit after `main` returns (taken by the
parent process). Prints one JSON line. `TrainingCurves` draws through
`plots.save_figure`, so that part of `finish_parts` overlaps `callbacks`.

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets python benchmarks/cli_time.py \\
        --dataset mnist --epochs 4 --batch-size 128 --latent-dim 64 \\
        --hidden 256 --prior gaussian --seed 0 --out /tmp/run --verbose 0
"""

import collections
import json
import subprocess
import sys
import time

_WORKER = "--worker"


def _timed(owner, name, totals, key=None):
    """Replaces `owner.name` by a wrapper adding its seconds to `totals`."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key or name] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def _callback_classes():
    import keras

    from keras_aae import callbacks
    from keras_aae import data

    for module in (callbacks, data, keras.callbacks):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(
                obj, keras.callbacks.Callback
            ):
                yield obj


def worker(args):
    start = time.perf_counter()
    import keras

    from keras_aae import cli
    from keras_aae import evaluation
    from keras_aae import export
    from keras_aae import plots
    from keras_aae.cli import train

    imported = time.perf_counter() - start
    phases, hooks, finish = (collections.defaultdict(float) for _ in "abc")
    for name in ("prepare", "fit", "finish"):
        _timed(train, name, phases)
    for cls in set(_callback_classes()):
        for hook in ("on_epoch_begin", "on_epoch_end"):
            if hook in vars(cls):
                _timed(cls, hook, hooks, f"{cls.__name__}.{hook}")
    _timed(keras.Model, "save", finish, "model.save")
    _timed(export, "export_model", finish)
    _timed(evaluation, "latent_codes", finish)
    _timed(plots, "latent_figure", finish)
    _timed(plots, "save_figure", finish)
    status = cli.main(args)
    record = {
        "status": status,
        "import": imported,
        **phases,
        "callbacks": dict(hooks),
        "finish_parts": dict(finish),
        "main_returned": time.time(),
    }
    print(json.dumps(record, default=float))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [_WORKER]:
        return worker(["train", *argv[1:]])
    start = time.time()
    result = subprocess.run(
        [sys.executable, __file__, _WORKER, *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    ended = time.time()
    record = json.loads(result.stdout.strip().splitlines()[-1])
    record["process"] = ended - start
    record["exit_after_main"] = ended - record.pop("main_returned")

    def rounded(value):
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return round(value, 2) if isinstance(value, float) else value

    print(json.dumps(rounded(record)))


if __name__ == "__main__":
    main()
