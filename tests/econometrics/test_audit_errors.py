"""Issue 13: error context reads as a user writes it, without numpy reprs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqp.econometrics import feols
from nqp.errors import EstimationError, NqpError


def test_numpy_scalars_in_the_place_are_plain_numbers() -> None:
    msg = str(NqpError("bad", row=np.int64(0), year=np.int32(2015), firm="000001", variable="x"))
    assert msg == "bad [row=0, variable='x', firm='000001', year=2015]"
    assert "np." not in msg


def test_an_estimation_error_names_the_row_without_a_numpy_repr() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [1.0, np.inf, 2.0]}, index=np.array([10, 11, 12]))
    with pytest.raises(EstimationError) as e:
        feols("y ~ x", df)
    assert "row=11" in str(e.value) and "np.int64" not in str(e.value)
