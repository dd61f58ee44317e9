"""Tests of keras_aae.cli.main"""

import pytest

from helpers import call_cli
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
            "variant='supervised'",
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
def test_user_errors_exit_2_with_one_line(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    result = call_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("keras-aae")
    ]
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["train", "--out", "x", "--epochs", "ten"], "'ten'"),
        (["train", "--out", "x", "--dataset", "no_such_set"], "'no_such_set'"),
    ],
)
def test_user_errors_through_python_m_print_one_line(tmp_path, args, words):
    # As users run it: TensorFlow's native start-up notices are silenced too.
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.splitlines() if words in line
    ], result.stderr
    assert result.stderr.startswith("keras-aae")
