# `make run`  — set up everything and start the dashboard on demo data.
# `make test` — set up everything (venv, pinned packages, Chromium + CJK fonts) and run the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/perfdash.duckdb
PORT   ?= 8501

.PHONY: run test venv system-deps db clean bench

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed

# Chromium (PNG export, browser tests) and the CJK font (Chinese in images).
# Installed through apt only when missing; needs root, as on CI.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing fontconfig >/dev/null; \
	  else \
	    echo "missing:$$missing — run as root or: sudo apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi

db: venv
	@[ -f "$(DB)" ] || $(PY) -m perfdash init --demo --db "$(DB)"

run: venv system-deps db
	PERFDASH_DB="$(DB)" $(VENV)/bin/streamlit run dashboard.py \
	  --server.address 127.0.0.1 --server.port $(PORT) --browser.gatherUsageStats false

test: venv system-deps
	$(PY) -m pytest -q -n auto --dist loadfile --durations=15

bench: venv
	$(PY) -m perfdash bench --units 20000 --years 10

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
