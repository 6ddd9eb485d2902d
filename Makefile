# Front-end for newcomers: every target installs what it needs first.
# make demo  - install deps, build, run the SQLite -> SQLite demo migration
# make test  - install deps, build with -Werror, run every test (plus an ASan+UBSan unit build)
# make build - leaves the binary at build/peerlock
JOBS ?= 2
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: deps build demo test test-fast asan bench bench-cutover bench-mariadb bench-sync bench-sync-mariadb clean

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/peerlock demo --dir demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600
	@$(MAKE) --no-print-directory asan

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPEERLOCK_SANITIZE=ON \
	  -DPEERLOCK_UNIT_TESTS_ONLY=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit --timeout 600

bench: build
	@bench/sqlite_copy_bench.sh

# PostgreSQL -> PostgreSQL cutover against a scripted native switchover (issue 6); ROWS=5000000
bench-cutover: build
	@bench/cutover_bench.sh

# MariaDB -> PostgreSQL against pgloader, 1M customers + 5M orders (issue 4)
bench-mariadb: build
	@bench/mariadb_bench.sh

# PostgreSQL -> PostgreSQL sync against native logical replication: copy + catch-up, lag under
# pgbench workloads (issue 5)
bench-sync: build
	@bench/pg_sync_bench.sh

# MariaDB -> PostgreSQL sync: copy + catch-up, heartbeat lag under sysbench workloads (issue 5)
bench-sync-mariadb: build
	@bench/mariadb_sync_bench.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
