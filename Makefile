# The two commands of the README: `make demo` and `make test`.
CARGO ?= cargo

.PHONY: all build demo test lint bench stress stress-sled fuzz clean

all: build

build:
	$(CARGO) build --locked

demo: build
	ACCORD=$(CURDIR)/target/debug/accord ./scripts/demo.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

test: lint
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --locked --workspace --no-fail-fast; \
	else \
		$(CARGO) test --locked --workspace --no-fail-fast; \
	fi

bench:
	$(CARGO) bench --locked -p accord-ledger --bench ledger
	python3 scripts/bench-report.py

# Long-running variants of the crash tests (not part of `make test`).
stress:
	ACCORD_CRASH_KILLS=500 $(CARGO) test --locked --test crash -- --nocapture

# The same on the sled backend, kept as evidence (docs/SECURITY.md): sled
# 0.34 has been seen to corrupt its store after a SIGKILL.
stress-sled:
	ACCORD_CRASH_STORE=sled ACCORD_CRASH_KILLS=500 $(CARGO) test --locked --test crash -- --nocapture

# Each fuzz target for 60 s (needs `cargo install cargo-fuzz --locked`).
fuzz:
	./scripts/fuzz.sh 60

clean:
	$(CARGO) clean
