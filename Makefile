# Two commands work from a clean clone: `make demo` and `make test`.
# Both create .venv when it is missing and install the project with everything the
# suite needs. TensorFlow comes from the CPU wheel (no CUDA) for tests; tf-keras is
# installed without its dependencies because it requires the `tensorflow` wheel,
# which would install a second TensorFlow beside tensorflow-cpu.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TF_VERSION := 2.21.0

.PHONY: setup demo test docs clean fuzz reliability

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "tensorflow-cpu==$(TF_VERSION)"
	$(BIN)/python -m pip install --quiet --no-deps "tf-keras==$(TF_VERSION)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# A dry run over the bundled example project: the diff, the findings and the summary.
# Then the proof: `verify` runs the old and the migrated code of every conversion
# (TF1 graph / Keras 2 against Keras 3) and compares variables and outputs.
demo: $(STAMP)
	@$(BIN)/migrate-tf diff --no-progress examples/ ; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi
	@echo
	@$(BIN)/migrate-tf verify examples/

# pytest exits 5 when it collected nothing: that is a failure, not a pass.
test: $(STAMP)
	$(BIN)/python -m pytest -q ; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# Issue 8's proof: every bad input, injected fault and signal against the real command
# line (a few minutes), printed as a table; fails if a file was changed unexpectedly,
# lost or truncated, or a case was not handled.
reliability: $(STAMP)
	$(BIN)/python tests/reliability_matrix.py

# The property tests at length: 10,000 examples per property from a fixed seed
# (make test runs the same properties on a short, derandomized profile).
fuzz: $(STAMP)
	MIGRATE_TF_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/test_fuzz.py --hypothesis-seed=20261122 --hypothesis-show-statistics

# Regenerate docs/rules/ from the rules' own documentation.
docs: $(STAMP)
	$(BIN)/python -m migrate_tf.docs

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# The benchmark (issue 7): a synthetic repository (2,000 files by default) on which
# migrate-tf is timed against its floors (a plain read; LibCST parse + codegen) and
# tf_upgrade_v2, plus the editor paths and verify; the figures and the targets go to
# benchmarks/results.md. About 20 minutes on 2 cores; options through BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--files 500 --runs 3 --skip-tf-upgrade" (see --help).
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)
