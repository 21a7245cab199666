# Every target sets itself up: a fresh clone with Python 3.11 needs nothing else.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo

.PHONY: demo test bench clean install system-packages

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q -j 0 src  # bytecode of nqp's own modules, read even under PYTHONDONTWRITEBYTECODE
	$(BIN)/python -m nqp.jit_cache
	touch $(STAMP)

install: $(STAMP)

# Debian packages of the report tests (Chromium, CJK fonts, XeLaTeX); a no-op when present or not root
system-packages:
	@bash scripts/system-packages.sh

demo: $(STAMP)
	$(BIN)/nqp demo --out $(OUT) --force

test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --big

clean:
	rm -rf $(VENV) out .pytest_cache
