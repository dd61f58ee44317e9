"""Builds the API reference from the docstrings, and checks them.

    pip install ".[docs]"
    python docs/build.py              # HTML into docs/api/ (open index.html)
    python docs/build.py --check      # the checks alone (.ci/run runs them)

The reference is pdoc's rendering of `keras_aae` and its submodules: every
public module, class, function and method with its docstring, and each
backticked dotted name that pdoc can resolve turned into a link. The build
fails (exit 1, each problem on a line) when

- a public module, class, function or method has no docstring (an
  overriding method inherits its parent's, as pdoc shows it), or
- a backticked reference to the package's own API does not resolve:
  `keras_aae.x.y`, or `x.y` where `x` is one of the package's modules
  (`data.load_splits`, `priors.GaussianPrior`), names nothing that exists.
"""

import argparse
import importlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# pdoc blocks subprocesses while importing the documented modules; ours are
# trusted (TensorFlow asks `uname` for the platform).
os.environ.setdefault("PDOC_ALLOW_EXEC", "1")

import pdoc  # noqa: E402
import pdoc.doc  # noqa: E402

PACKAGE = "keras_aae"
# A backticked dotted name: `a.b` or `a.b.c`, optionally called `a.b()`.
_REFERENCE = re.compile(r"`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?:\(\))?`")
# First parts that are not the package's modules though they share a name
# (`model.fit` names a user's model, not the compatibility module).
_NOT_MODULES = {"model"}


def modules(name=PACKAGE):
    """The package's pdoc modules, depth first."""
    module = pdoc.doc.Module.from_name(name)
    yield module
    for submodule in module.submodules:
        yield from modules(submodule.fullname)


def _public(doc):
    return not doc.name.startswith("_")


def members(module, seen=None):
    """The documented objects of a module: itself, its public classes and
    functions (those it re-exports too: pdoc shows a package's `__all__`
    in the package), and their public methods; each object once in `seen`."""
    seen = set() if seen is None else seen
    yield module
    for member in module.own_members:
        if not _public(member) or member.taken_from in seen:
            continue
        seen.add(member.taken_from)
        if isinstance(member, pdoc.doc.Class):
            yield member
            yield from (
                m
                for m in member.own_members
                if isinstance(m, pdoc.doc.Function) and _public(m)
            )
        elif isinstance(member, pdoc.doc.Function):
            yield member


def missing_docstrings(all_modules):
    seen = set()
    return [
        f"{doc.fullname}: public {doc.kind} without a docstring"
        for module in all_modules
        for doc in members(module, seen)
        if not doc.docstring.strip()
    ]


def _resolves(dotted):
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False


def _scopes(module_name):
    """Where a relative reference in a module may start: the module, each
    package above it (`parzen.x` in `keras_aae.evaluation.metrics` is
    `keras_aae.evaluation.parzen.x`)."""
    parts = module_name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def broken_references(all_modules, module_names):
    problems, seen = [], set()
    for module in all_modules:
        for doc in members(module, seen):
            for reference in _REFERENCE.findall(doc.docstring):
                first = reference.split(".")[0]
                if first == PACKAGE:
                    candidates = [reference]
                elif first in module_names and first not in _NOT_MODULES:
                    candidates = [
                        f"{scope}.{reference}"
                        for scope in _scopes(doc.taken_from[0])
                        + _scopes(module.fullname)
                    ]
                else:
                    continue
                if not any(map(_resolves, candidates)):
                    problems.append(
                        f"{doc.fullname}: `{reference}` names nothing "
                        f"(tried {', '.join(candidates)})"
                    )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="No HTML.")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "api"))
    args = parser.parse_args()
    all_modules = list(modules())
    module_names = {
        m.fullname.split(".")[-1] for m in all_modules if m.name != PACKAGE
    }
    problems = missing_docstrings(all_modules) + broken_references(
        all_modules, module_names
    )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problems in the API reference's docstrings")
        return 1
    print(f"API reference: {len(all_modules)} modules, docstrings checked")
    if not args.check:
        pdoc.render.configure(docformat="google", show_source=False)
        pdoc.pdoc(PACKAGE, output_directory=pdoc.Path(args.out))
        print(f"Wrote {os.path.join(args.out, 'index.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
