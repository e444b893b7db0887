# The two commands of the README: `make demo` and `make test`.
CARGO ?= cargo
# Where cargo builds: CARGO_TARGET_DIR if set (relative to here, as cargo
# takes it), else ./target.
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))

.PHONY: all build demo test lint dist release-check bench bench-build bench-peers stress stress-sled fuzz clean

all: build

build:
	$(CARGO) build --locked

demo: build
	ACCORD=$(TARGET_DIR)/debug/accord ./scripts/demo.sh
	ACCORD=$(TARGET_DIR)/debug/accord ./scripts/demo-capitals.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

test: lint
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --locked --workspace --no-fail-fast; \
	else \
		$(CARGO) test --locked --workspace --no-fail-fast; \
	fi

# A static binary for Linux (musl) and its SHA-256, in dist/. Needs the
# target's standard library (`rustup target add x86_64-unknown-linux-musl`,
# done here if rustup can fetch it) and a C compiler for musl, for ring's
# assembly (Debian: `apt-get install musl-tools`).
DIST_TARGET ?= x86_64-unknown-linux-musl
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DIST_NAME := accord-$(VERSION)-$(DIST_TARGET)
dist:
	@command -v musl-gcc >/dev/null || { echo "make dist: no musl-gcc (Debian: apt-get install musl-tools)" >&2; exit 1; }
	rustup target list --installed | grep -qx $(DIST_TARGET) || rustup target add $(DIST_TARGET)
	$(CARGO) build --locked --release --target $(DIST_TARGET)
	mkdir -p dist
	cp $(TARGET_DIR)/$(DIST_TARGET)/release/accord dist/$(DIST_NAME)
	cd dist && sha256sum $(DIST_NAME) > $(DIST_NAME).sha256
	@echo "dist/$(DIST_NAME) and dist/$(DIST_NAME).sha256"

# What CI leaves out to stay within its time (each is a second build of the
# whole dependency tree, with the features resolved without the
# dev-dependencies): `make demo` itself, the README's install command (into
# a scratch root), and the fuzz targets. Run before a release.
release-check: demo
	CARGO_TARGET_DIR=$(TARGET_DIR) $(CARGO) install --locked --debug --path . --root $(TARGET_DIR)/install
	$(TARGET_DIR)/install/bin/accord --version
	CARGO_TARGET_DIR=$(TARGET_DIR) $(CARGO) build --locked --manifest-path fuzz/Cargo.toml

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
