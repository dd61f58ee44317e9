"""Measures of a trained adversarial autoencoder.

- `metrics`: numpy arrays in, plain numbers out (no Keras): reconstruction,
  prior match (MMD, moment gap), latent probes, clustering, Frechet
  distance, mode coverage, anomaly AUROC;
- `parzen`: the Parzen-window log-likelihood of the paper's section 3;
- `judge`: the small classifier that judges samples (trained once, cached);
- `report`: `evaluate` (a model on a dataset, `keras-aae evaluate`),
  `evaluate_codec` (any encoder and decoder given as functions) and
  `domain_adaptation_report` (both domains' test accuracy);
- `figures`: the paper's figure for each variant, and the codes to plot.

Example:

>>> import numpy as np
>>> from keras_aae import evaluation
>>> rng = np.random.default_rng(0)
>>> same = evaluation.mmd(rng.normal(size=(500, 4)), rng.normal(size=(500, 4)))
>>> shifted = evaluation.mmd(rng.normal(size=(500, 4)) + 1, rng.normal(size=(500, 4)))
>>> same < 0.01 < shifted
True
"""

from keras_aae.data.labels import balanced_subset
from keras_aae.evaluation.figures import latent_codes
from keras_aae.evaluation.figures import variant_figures
from keras_aae.evaluation.judge import classifier_features
from keras_aae.evaluation.judge import default_cache_dir
from keras_aae.evaluation.judge import judge_classifier
from keras_aae.evaluation.judge import sample_quality
from keras_aae.evaluation.judge import style_transfer_accuracy
from keras_aae.evaluation.judge import train_digit_classifier
from keras_aae.evaluation.metrics import DEFAULT_PROBE_LABELS
from keras_aae.evaluation.metrics import auroc
from keras_aae.evaluation.metrics import clustering_accuracy
from keras_aae.evaluation.metrics import confident_example_accuracy
from keras_aae.evaluation.metrics import frechet_distance
from keras_aae.evaluation.metrics import hungarian_accuracy
from keras_aae.evaluation.metrics import knn_accuracy
from keras_aae.evaluation.metrics import label_histogram_entropy
from keras_aae.evaluation.metrics import latent_moments
from keras_aae.evaluation.metrics import latent_probes
from keras_aae.evaluation.metrics import logistic_regression_accuracy
from keras_aae.evaluation.metrics import median_bandwidth
from keras_aae.evaluation.metrics import mmd
from keras_aae.evaluation.metrics import moment_gap
from keras_aae.evaluation.metrics import prior_match
from keras_aae.evaluation.metrics import reconstruction_errors
from keras_aae.evaluation.metrics import squared_distances
from keras_aae.evaluation.metrics import swiss_roll_segments
from keras_aae.evaluation.parzen import PARZEN_SIGMAS
from keras_aae.evaluation.parzen import latent_log_density
from keras_aae.evaluation.parzen import parzen_evaluation
from keras_aae.evaluation.parzen import parzen_log_likelihood
from keras_aae.evaluation.report import anomaly_scores
from keras_aae.evaluation.report import domain_adaptation_report
from keras_aae.evaluation.report import evaluate
from keras_aae.evaluation.report import evaluate_codec
from keras_aae.evaluation.report import held_out_class_auroc
from keras_aae.evaluation.report import one_class_auroc
from keras_aae.evaluation.report import reconstruction_mse
