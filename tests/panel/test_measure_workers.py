"""The measures' workers are started before the base table and import the estimators there
(``nqp.panel.steps.measure_workers``): in the demo the panel stage otherwise runs on one core
while each worker, forked later, imports scipy's optimisers on its own."""

import subprocess
import sys

_CODE = r"""
import sys
from nqp.panel.config import load_definitions
from nqp.panel.steps import measure_workers

def loaded(name):
    import sys
    return name in sys.modules

jobs = measure_workers(load_definitions(), 2)
for _ in range(4):
    jobs.submit(loaded, "nqp.measures.tfp")
print(jobs.workers, "nqp.measures.tfp" in sys.modules, all(jobs.results()))
"""


def test_measure_workers_import_the_estimators_the_parent_has_not():
    out = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "False", "True"], out.stdout + out.stderr


def test_one_worker_runs_the_measures_here():
    from nqp.panel.config import load_definitions
    from nqp.panel.steps import measure_workers

    jobs = measure_workers(load_definitions(), 1)
    assert jobs.workers == 1
    jobs.submit(len, "abc")
    assert jobs.results() == [3]
