"""Tests of keras_aae.cli.parser"""

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import FAST
from keras_aae import cli
from keras_aae import posteriors
from keras_aae import priors
from keras_aae import variants
from keras_aae.cli import parser

_CLI_BAD_VALUES = {
    "--epochs": st.one_of(
        st.integers(max_value=0).map(str), st.sampled_from(["1.5", "x"])
    ),
    "--batch-size": st.one_of(
        st.integers(max_value=0).map(str), st.just("many")
    ),
    "--latent-dim": st.one_of(st.integers(max_value=0).map(str), st.just("2d")),
    "--hidden": st.one_of(st.integers(max_value=0).map(str), st.just("wide")),
    "--seed": st.one_of(st.integers(max_value=-1).map(str), st.just("s")),
    "--num-classes": st.integers(max_value=0).map(str),
    "--reconstruction-lr": st.sampled_from(
        ["0", "-1e-3", "nan", "inf", "fast"]
    ),
    "--prior": st.text(alphabet="abcxyz_", min_size=1, max_size=8).filter(
        lambda t: t not in priors.names()
    ),
    "--variant": st.text(alphabet="abcxyz_", min_size=1, max_size=8).filter(
        lambda t: t not in variants.VARIANTS
    ),
    "--strategy": st.sampled_from(["tpu", "parameter_server", ""]),
    "--mixed-precision": st.sampled_from(["float8", "half"]),
    "--architecture": st.sampled_from(["rnn", "transformer"]),
}


@FAST
@given(flag=st.sampled_from(sorted(_CLI_BAD_VALUES)), data_=st.data())
def test_cli_bad_arguments_exit_2_with_one_line(tmp_path, capsys, flag, data_):
    value = data_.draw(_CLI_BAD_VALUES[flag])
    out = tmp_path / "never"
    status = cli.main(
        ["train", "--dataset", "digits", "--out", str(out), flag, value]
    )
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keras-aae: error:"), (
        captured.err
    )
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_names_the_parser_knows_are_the_librarys():
    # The parser spells them out so that it never loads TensorFlow.
    assert list(parser.PRIOR_NAMES) == priors.names()
    assert list(parser.VARIANT_NAMES) == sorted(variants.VARIANTS)
    assert list(parser.POSTERIOR_NAMES) == posteriors.names()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--out", "x", "--epochs", "-1"],
        ["train", "--out", "x", "--prior", "cauchy"],
        ["train", "--out", "x", "--variant", "gan"],
        ["train", "--out", "x", "--discriminator-noise", "-0.5"],
        ["train", "--out", "x", "--posterior", "laplace"],
        ["evaluate", "--model", "m.keras", "--labels", "0"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_are_answered_before_tensorflow_loads(tmp_path, args):
    # `-X importtime` lists every module the process imported, on stderr.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "keras_aae", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    imported = [
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    ]
    assert "argparse" in imported
    assert not [
        m for m in imported if m.split(".")[0] in ("tensorflow", "keras")
    ]
    messages = [
        line
        for line in result.stderr.splitlines()
        if not line.startswith("import time:")
    ]
    assert len(messages) == 1 and messages[0].startswith("keras-aae: error:")


def test_recipe_names_the_parser_knows_are_the_librarys():
    from keras_aae import recipes

    assert list(parser.RECIPE_NAMES) == sorted(recipes.RECIPES)
