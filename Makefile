# The two commands a newcomer needs: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo pulumi clean

# uv (from PyPI, like nox's sessions use it) installs in seconds what pip takes a minute for;
# `pip install -e '.[test]'` gives the same environment.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict pulumi_fruxon pulumi_fruxon_pytest.py

# The Pulumi CLI with its Python and YAML language hosts: the one on PATH (>= 3.216), else built
# from source into .tools/bin (cached).
pulumi:
	scripts/install-pulumi >/dev/null

# The sessions of noxfile.py. The end-to-end session runs beside the others: the tests mostly
# wait on sockets and subprocesses, so two lanes on two cores take about half as long. Its
# virtualenv is filled first, so that no two editable installs of the checkout overlap; it
# gets the Pulumi CLI itself (waiting for a build .ci/run started), and its output is printed
# once both lanes are done.
test: lint
	$(BIN)/nox -s e2e --install-only
	mkdir -p .nox
	$(BIN)/nox -s e2e --no-install > .nox/e2e.log 2>&1 & e2e=$$!; \
	$(BIN)/nox; lane=$$?; \
	wait $$e2e; end_to_end=$$?; \
	cat .nox/e2e.log; \
	test $$lane -eq 0 && test $$end_to_end -eq 0

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

clean:
	rm -rf $(VENV) .tools .nox .pytest_cache .mypy_cache .ruff_cache
