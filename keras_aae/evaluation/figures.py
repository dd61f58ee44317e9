"""The figures the paper reports for each variant, and points to plot.

A leaf of the package: it reads the variant classes of `keras_aae.models`
and nothing imports it but the reports and the command line.
"""

import numpy as np

from keras_aae import models
from keras_aae import priors
from keras_aae.evaluation.metrics import clustering_accuracy
from keras_aae.evaluation.metrics import reconstruction_errors
from keras_aae.evaluation.metrics import swiss_roll_segments


def variant_figures(model, splits):
    """The figures the paper reports for a model's variant.

    - semi-supervised and dimensionality reduction (sections 5, 7): the test
      error of `classify`;
    - clustering (section 6): the test error of the paper's rule (each
      cluster takes the label of the validation image most confidently
      assigned to it) and the number of clusters in use;
    - label-informed (section 2.3): how often a test code lies in its own
      label's prior component (a mixture's most likely component, or the
      swiss roll's nearest segment);
    - supervised (section 4): the reconstruction MSE given true labels.

    Args:
        model: A trained model of `keras_aae.models` (the unsupervised one
            gives `{}`).
        splits: Dict of `(images, labels)` with `"validation"` and `"test"`.

    Returns:
        A dict of plain numbers (JSON-ready), empty for the unsupervised AAE.
    """
    (x_val, y_val), (x_test, y_test) = splits["validation"], splits["test"]
    if isinstance(model, models.ClusteringAdversarialAutoencoder):
        clusters = model.cluster(x_test)
        accuracy = clustering_accuracy(
            clusters, y_test, model.predict_categories(x_val), y_val
        )
        return {
            "clustering_error": 1.0 - accuracy,
            "clusters_used": int(len(np.unique(clusters))),
            "num_clusters": model.num_clusters,
        }
    if isinstance(model, models.SemiSupervisedAdversarialAutoencoder):
        return {"test_error": float(np.mean(model.classify(x_test) != y_test))}
    if isinstance(model, models.LabelInformedAdversarialAutoencoder):
        codes = model.encode(x_test)
        if hasattr(model.prior, "component_log_probs"):
            components = model.prior.component_log_probs(codes).argmax(1)
        elif isinstance(model.prior, priors.SwissRollPrior):
            components = swiss_roll_segments(
                codes, model.prior.num_components, model.prior.scale
            )
        else:
            return {}
        return {"own_component_rate": float(np.mean(components == y_test))}
    if isinstance(model, models.SupervisedAdversarialAutoencoder):
        errors = reconstruction_errors(
            x_test, model.reconstruct(x_test, y_test)
        )
        return {"reconstruction_mse_given_labels": errors["mse"]}
    return {}


def latent_codes(model, images):
    """The codes to plot for each image: the 2-D representation of section
    7, the style code of the models whose code also holds a class (sections
    4-6; the class is the colour), else the whole code.

    `keras_aae.plots.latent_figure` projects codes of more than two
    dimensions.

    Args:
        model: A model of `keras_aae.models`.
        images: Array `(n, h, w, c)`.

    Returns:
        A float array `(n, d)`.
    """
    if isinstance(model, models.DimensionalityReductionAdversarialAutoencoder):
        return np.asarray(model.embed(images))
    if isinstance(model, models.CategoricalAdversarialAutoencoder):
        return np.asarray(model.styles(images))
    return np.asarray(model.encode(images))
