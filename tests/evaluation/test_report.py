"""Tests of keras_aae.evaluation.report"""

from helpers import rng
from keras_aae import evaluation


def test_anomaly_scores_rank_noise_above_digits(
    trained_digits_model, digits_splits
):
    (x, _), (x_test, _) = digits_splits
    noise = rng().random(x_test.shape).astype("float32")
    normal = evaluation.anomaly_scores(trained_digits_model, x_test, x)
    odd = evaluation.anomaly_scores(trained_digits_model, noise, x)
    assert set(normal) == {"reconstruction", "code_density", "combined"}
    # No score may rank anomalies as normal (the prior's density did).
    for name in normal:
        assert evaluation.auroc(normal[name], odd[name]) > 0.9, name


def test_evaluate_reports_every_measure(trained_digits_model, tmp_path, capsys):
    result = evaluation.evaluate(
        trained_digits_model,
        "digits",
        num_samples=300,
        probe_labels=(50, None),
        anomaly_dataset=None,
        classifier_cache_dir=str(tmp_path),
    )
    assert set(result) >= {
        "reconstruction",
        "prior_match",
        "latent_probes",
        "parzen",
        "sample_quality",
        "kmeans_clustering_accuracy",
    }
    assert 0 < result["reconstruction"]["mse"] < 0.1
    assert result["latent_probes"]["all"]["knn1"] > 0.8
    assert result["parzen"]["sigma"] in evaluation.PARZEN_SIGMAS
    assert result["prior_match"]["mmd"] > result["prior_match"]["mmd_floor"]
    # Progress by default: the judge's first training, Parzen, the probes.
    printed = capsys.readouterr().out
    assert "Training the judge classifier" in printed
    assert "Parzen window" in printed and "Latent probes" in printed
    evaluation.evaluate(
        trained_digits_model,
        "digits",
        num_samples=300,
        probe_labels=(50,),
        classifier_cache_dir=str(tmp_path),
        verbose=0,
    )
    assert capsys.readouterr().out == ""
