# The two commands of README.md, and a few more. Everything builds in build/.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build demo check check-asan fuzz bench clean

all: build

deps:
	./scripts/deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Install, build, and hunt the bundled sample data.
demo: deps build
	./scripts/demo.sh $(BUILD)/aptscope

# Install, build, and run the whole test suite under ctest.
check: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAPTSCOPE_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan: deps
	$(MAKE) check BUILD=build-asan CMAKE_FLAGS="-DAPTSCOPE_SANITIZE=ON"

# libFuzzer binaries (clang): run one with
#   ./build-fuzz/tests/fuzz_<name> tests/fuzz/corpus/<name>
fuzz:
	CC=clang cmake -S . -B build-fuzz -DAPTSCOPE_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j$(JOBS)

bench: build
	./bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz
