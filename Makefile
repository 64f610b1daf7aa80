# Yishi: `make demo` runs a local station node with demo data; `make test` runs every test.
JOBS    ?= 2
# Tests run 4 at a time: the end-to-end ones mostly wait on their own processes.
TEST_JOBS ?= 4
CMAKE   ?= cmake
FUZZ_SECONDS ?= 10

.PHONY: all deps build build-asan build-fuzz demo test test-asan test-fuzz test-unit bench clean help

all: build

help:
	@echo "make demo    install what is missing, build, run a demo station node on loopback"
	@echo "make test    install what is missing, build (warnings are errors), run all tests:"
	@echo "             sanitizer build (ASan+UBSan), fuzz targets ($(FUZZ_SECONDS)s each), then the release build"
	@echo "make bench   run the benchmarks (tests/bench) and write build/bench/results.json"
	@echo "make build   build into build/"
	@echo "make clean   remove build directories"

deps:
	@scripts/install-deps

build: deps
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE) --build build -j $(JOBS)

build-asan: deps
	@$(CMAKE) -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DYISHI_SANITIZE=ON >/dev/null
	@$(CMAKE) --build build-asan -j $(JOBS)

build-fuzz: deps
	@$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DYISHI_FUZZ=ON \
		-DYISHI_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@$(CMAKE) --build build-fuzz -j $(JOBS)

demo: build
	@scripts/demo

test-asan: build-asan
	@echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(TEST_JOBS)

test-fuzz: build-fuzz
	@echo "== fuzz targets, $(FUZZ_SECONDS)s each"
	cd build-fuzz && ctest --output-on-failure -j $(JOBS)

test-unit: build
	cd build && ctest --output-on-failure -j $(TEST_JOBS)

# The release build runs last so the run closes with ctest's summary of the whole suite.
test: test-asan test-fuzz test-unit

bench: build
	@scripts/install-deps --bench
	@tests/bench/run

clean:
	rm -rf build build-asan build-fuzz
