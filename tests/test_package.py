import subprocess
import sys

import pytest

import nqp
from nqp.errors import NqpError, SchemaError, SingletonWarning


def test_version_and_cli_help():
    out = subprocess.run([sys.executable, "-m", "nqp.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "nqp" in out.stdout
    assert nqp.__version__


def test_the_nqp_command_exits_with_mains_code_and_its_output_flushed(tmp_path):
    """``nqp`` ends through ``cli.run`` (``os._exit`` after ``main``): the exit code is main's,
    and what was printed to a pipe (block-buffered: lost without the flush) arrives whole."""
    import os
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "nqp"]
    assert script.value == "nqp.cli:run"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    # a command that succeeds ends through os._exit: what it printed must have been flushed
    study = tmp_path / "mine.toml"
    made = subprocess.run([sys.executable, "-m", "nqp.cli", "new-study", str(study)], capture_output=True, text=True,
                          env=env)
    assert made.returncode == 0 and study.is_file()
    assert made.stdout.startswith(f"wrote {study}") and made.stdout.endswith("\n")
    # no command: main prints the help and returns 2, through the normal exit
    helped = subprocess.run([sys.executable, "-m", "nqp.cli"], capture_output=True, text=True, env=env)
    assert helped.returncode == 2 and helped.stdout.startswith("usage: nqp")
    missing = subprocess.run([sys.executable, "-m", "nqp.cli", "run", str(tmp_path / "nope.toml"), "--db",
                              str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert missing.returncode == 1
    assert "nope" in missing.stderr and "Traceback" not in missing.stderr


def test_errors_name_the_place():
    err = SchemaError("column missing", file="FS_Combas.csv", column="A001000000", row=7)
    msg = str(err)
    assert "FS_Combas.csv" in msg and "A001000000" in msg and "row=7" in msg
    assert err.column == "A001000000" and isinstance(err, NqpError)
    w = SingletonWarning("dropped 3 singletons", variable="firm")
    assert "firm" in str(w)


def test_unknown_location_field_is_rejected():
    with pytest.raises(TypeError):
        NqpError("x", cell="A1")


@pytest.mark.parametrize("package", ["nqp", "nqp.econometrics", "nqp.panel", "nqp.ingest", "nqp.measures",
                                     "nqp.report", "nqp.robustness"])
def test_every_lazy_name_resolves(package):
    import importlib

    mod = importlib.import_module(package)
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"{package}.{name}"


def test_lazy_package_gives_its_submodules():
    code = ("import nqp.econometrics as e, nqp.panel as p; print(e.demean.demean.__name__, p.steps.__name__); "
            "e.no_such_name")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["demean", "nqp.panel.steps"]
    assert "has no attribute 'no_such_name'" in out.stderr


def test_a_name_shared_with_its_submodule_means_the_function():
    """``nqp.panel.describe`` is the function even after ``import nqp.panel.describe`` (which
    sets the package attribute to the module): the failure `nqp demo` showed when nqp.panel
    became lazy (results.json called the module)."""
    code = ("import types, nqp.panel.describe, nqp.panel.winsorize, nqp.robustness.leave_one_out, "
            "nqp.measures.frontier, nqp.measures.tfp\n"
            "from nqp.panel import describe, winsorize\n"
            "from nqp.robustness import leave_one_out\n"
            "from nqp.measures import frontier, tfp\n"
            "print([callable(f) and not isinstance(f, types.ModuleType) "
            "for f in (describe, winsorize, leave_one_out, frontier, tfp)])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == str([True] * 5), out.stdout + out.stderr


def test_demo_starts_without_the_estimators():
    """`nqp demo` writes the synthetic exports first: checking the study must not import scipy.stats,
    DuckDB or the estimators (about 1.5 s before the first export is written)."""
    code = ("import sys; import nqp.study.demo_command, nqp.study.demo; from nqp.study.spec import load_study; "
            "load_study('ai_nqp'); "
            "print(sorted(m for m in ('scipy.stats', 'duckdb', 'nqp.econometrics.ols', 'nqp.panel.build', "
            "'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
