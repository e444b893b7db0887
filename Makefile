# The two commands of the README: `make demo` and `make test`.
CARGO ?= cargo

.PHONY: all build demo test lint bench bench-build bench-peers stress stress-sled fuzz clean

all: build

build:
	$(CARGO) build --locked

demo: build
	ACCORD=$(CURDIR)/target/debug/accord ./scripts/demo.sh
	ACCORD=$(CURDIR)/target/debug/accord ./scripts/demo-capitals.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

test: lint
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --locked --workspace --no-fail-fast; \
	else \
		$(CARGO) test --locked --workspace --no-fail-fast; \
	fi

# Criterion benches of the primitives and core paths, then the end-to-end
# harness on 10k, 100k and 1M-entry ledgers (ACCORD_BENCH_SIZES to change),
# then many capitals (scripts/bench-remote.py).
bench: bench-build
	$(CARGO) bench --locked -p accord-ledger --bench ledger
	python3 scripts/bench-report.py
	python3 scripts/bench-e2e.py
	python3 scripts/bench-remote.py

bench-build:
	$(CARGO) build --locked --release --features dev
	$(CARGO) build --locked --release --features dev --example tiles_read
	$(CARGO) build --locked --release --examples -p accord-ledger

# accord beside hypercore (npm, installed into target/bench-peers at run
# time) and ssh-signed git commits, in one run.
bench-peers: bench-build
	python3 scripts/bench-peers.py

# Long-running variants of the crash tests (not part of `make test`).
stress:
	ACCORD_CRASH_KILLS=500 $(CARGO) test --locked -p accord --test integration -- --nocapture crash::

# The same on the sled backend, kept as evidence (docs/SECURITY.md): sled
# 0.34 has been seen to corrupt its store after a SIGKILL.
stress-sled:
	ACCORD_CRASH_STORE=sled ACCORD_CRASH_KILLS=500 $(CARGO) test --locked -p accord --test integration -- --nocapture crash::

# Each fuzz target for 60 s (needs `cargo install cargo-fuzz --locked`).
fuzz:
	./scripts/fuzz.sh 60

clean:
	$(CARGO) clean
