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
