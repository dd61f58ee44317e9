"""Tests of keras_aae.cli.main"""

import pytest

from helpers import run_cli


@pytest.mark.parametrize(
    "args, words",
    [
        (["train", "--out", "x", "--epochs", "-1"], "'-1'"),
        (["train", "--out", "x", "--epochs", "ten"], "'ten'"),
        (["train", "--out", "x", "--prior", "cauchy"], "'cauchy'"),
        (["train", "--out", "x", "--architecture", "rnn"], "'rnn'"),
        (
            ["train", "--out", "x", "--dataset", "no_such_set"],
            "dataset='no_such_set'",
        ),
        (
            [
                "train",
                "--out",
                "x",
                "--dataset",
                "digits",
                "--prior",
                "swiss_roll",
                "--latent-dim",
                "3",
            ],
            "latent_dim=3",
        ),
        (["train"], "--out"),
        (["frobnicate"], "frobnicate"),
        (["sample", "--decoder", "nowhere", "--out", "g.png"], "'nowhere'"),
        (["sample", "--decoder", ".", "--out", "g.jpg"], "'g.jpg'"),
        (["evaluate", "--model", "nowhere.keras"], "'nowhere.keras'"),
        (["evaluate", "--model", "m.keras", "--labels", "0"], "'0'"),
        (["evaluate", "--model", "m.keras", "--num-samples", "-5"], "'-5'"),
        (
            ["train", "--out", "x", "--variant", "adversarial_gan"],
            "'adversarial_gan'",
        ),
        (
            [
                "train",
                "--out",
                "x",
                "--dataset",
                "digits",
                "--variant",
                "supervised",
                "--architecture",
                "conv",
            ],
            "--variant supervised",
        ),
        (
            [
                "train",
                "--out",
                "x",
                "--dataset",
                "digits",
                "--variant",
                "label_informed",
                "--prior",
                "gaussian",
            ],
            "one component per class",
        ),
        (
            [
                "train",
                "--out",
                "x",
                "--dataset",
                "digits",
                "--variant",
                "semi_supervised",
                "--num-labels",
                "15",
            ],
            "num_labels=15",
        ),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path, args, words):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("keras-aae")
    ]
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()
