"""`keras-aae evaluate`: score a trained model; prints one JSON object.

Progress (`--verbose 1`) goes to standard error, so that standard output
holds the JSON object alone (`keras-aae evaluate ... | jq`).
"""

import contextlib
import json
import os
import sys

from keras_aae import evaluation
from keras_aae.cli.parser import UsageError
from keras_aae.cli.parser import one_line
from keras_aae.cli.parser import user_errors
from keras_aae.models import load_model


def run(args):
    """Prints `keras_aae.evaluation.evaluate` of `--model` as JSON."""
    if not os.path.isfile(args.model):
        raise UsageError(
            f"--model {args.model!r} is not a file; expected a model.keras"
        )
    try:
        model = load_model(args.model)
        # Keras' progress bars write to standard output.
        with contextlib.redirect_stdout(sys.stderr):
            result = _evaluate(model, args)
    except user_errors() as error:
        raise UsageError(one_line(error)) from None
    print(json.dumps({"model": args.model, **result}))
    return 0


def _evaluate(model, args):
    return evaluation.evaluate(
        model,
        args.dataset,
        data_dir=args.data_dir,
        num_samples=args.num_samples,
        probe_labels=tuple(args.labels),
        parzen=not args.no_parzen,
        sample_quality=not args.no_sample_quality,
        anomaly_dataset=args.anomaly_dataset,
        anomaly_labels=args.anomaly_labels,
        classifier_cache_dir=args.classifier_cache,
        seed=args.seed,
        target_dataset=args.target_dataset,
        verbose=args.verbose,
    )
