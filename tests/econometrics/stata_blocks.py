"""Reader of the estout blocks of Stata output in ``tests/data/stata_xtreg/xtreg_fe_results.txt``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data" / "stata_xtreg"

#: the six published ``xtreg, fe`` blocks and the nqp options that reproduce them
#: (``xtreg, fe vce(robust)`` is clustered by panel in Stata)
XTREG_CASES = {
    "fixed_effect-conventional--": {"vcov": "iid"},
    "fixed_effect-robust--": {"cluster": "firm"},
    "fixed_effect-cluster--": {"cluster": "firm"},
    "fixed_effect-conventional-weighted-": {"vcov": "iid", "weights": "w"},
    "fixed_effect-robust-weighted-": {"cluster": "firm", "weights": "w"},
    "fixed_effect-cluster-weighted-": {"cluster": "firm", "weights": "w"},
}


def parse_stata_blocks(path: Path) -> dict[str, dict]:
    """Blocks written by estout: '#...!key!#...', then b/t/p per variable, e() scalars, e(V)."""
    out: dict[str, dict] = {}
    for blk in path.read_text().split("#################!")[1:]:
        key = blk.split("!")[0]
        lines = [ln for ln in blk.splitlines()[1:] if ln.strip()]
        i = lines.index("\tb/t/p") + 1
        params = {}
        while not lines[i].startswith("rss"):
            name, b = lines[i].split("\t")
            params[name] = (float(b), float(lines[i + 1]), float(lines[i + 2]))
            i += 3
        scalars = {}
        while not lines[i].startswith("****"):
            k, v = lines[i].split("\t")
            scalars[k] = float(v) if v.strip() else None
            i += 1
        names = lines[i + 2].split("\t")[1:]
        V = pd.DataFrame([[float(x) for x in ln.split("\t")[1:]] for ln in lines[i + 3:i + 3 + len(names)]],
                         index=names, columns=names)
        out[key] = {"params": params, "scalars": scalars, "V": V}
    return out
