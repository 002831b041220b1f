# Two commands: `make run` (the portal with demo data on SQLite) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 5000

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

.PHONY: install run test bench bench-server screenshots clean lock
install: $(STAMP)

run: $(STAMP)
	PORTAL_DEMO=1 $(BIN)/portal db upgrade
	PORTAL_DEMO=1 $(BIN)/portal demo
	PORTAL_DEMO=1 $(BIN)/portal run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache

bench: $(STAMP)
	$(BIN)/python scripts/bench.py --cold

# Under gunicorn, driven by wrk (apt-get install -y wrk), against a hello-world floor;
# needs PostgreSQL on 127.0.0.1:5432 unless BENCH_ARGS='--backends sqlite'.
bench-server: $(STAMP)
	$(BIN)/python scripts/bench_server.py $(BENCH_ARGS)

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshot.py docs

# constraints.txt: the exact versions a production install uses. Resolved in a
# clean venv from pyproject.toml's runtime dependencies (no test tools), then frozen.
lock:
	rm -rf .lock-venv
	python3 -m venv .lock-venv
	.lock-venv/bin/pip install --quiet .
	{ echo "# Pinned runtime dependencies for production: pip install --constraint constraints.txt ."; \
	  echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	  .lock-venv/bin/pip freeze --exclude pmo-portal; } > constraints.txt
	rm -rf .lock-venv
