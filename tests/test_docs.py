"""Tests of docs/build.py, the API reference's build and checks."""

import importlib.util
import os
import sys
import textwrap

import pytest

from helpers import ROOT

pytest.importorskip("pdoc", reason="the API reference needs the docs extra")


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "docs_build", os.path.join(ROOT, "docs", "build.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_passes_its_own_checks():
    build = _build_module()
    modules = list(build.modules())
    names = {m.fullname.split(".")[-1] for m in modules}
    assert {"plots", "priors", "models", "evaluation"} <= names
    assert build.missing_docstrings(modules) == []
    assert build.broken_references(modules, names) == []


def test_checks_catch_a_missing_docstring_and_a_broken_reference(
    tmp_path, monkeypatch
):
    package = tmp_path / "fakepkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "tools.py").write_text(
        textwrap.dedent(
            '''
            """Tools; see `tools.present` and `tools.absent`."""


            def present():
                """Here."""


            def undocumented():
                pass
            '''
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    build = _build_module()
    modules = list(build.modules("fakepkg"))
    assert build.missing_docstrings(modules) == [
        "fakepkg.tools.undocumented: public function without a docstring"
    ]
    (problem,) = build.broken_references(modules, {"tools"})
    assert problem.startswith("fakepkg.tools: `tools.absent` names nothing")
    sys.modules.pop("fakepkg", None)
    sys.modules.pop("fakepkg.tools", None)
