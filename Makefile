# ntps - top-level commands. The build itself is CMake (CMakeLists.txt);
# these targets are the ones the README promises.
#
#   make          build (kernel, ntps command, plugin, test drivers)
#   make run      the main job: the sample drivers on the kernel
#   make test     the whole test suite (-Werror build)
#   make bench    benchmarks, with side-by-side host baselines
#   make asan-test / tsan-test   the suite under ASan+UBSan / TSan

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest

.PHONY: all deps run test bench asan-test tsan-test clean

all: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE) --build $(BUILD) -j$(JOBS)

deps:
	@scripts/setup-debian.sh

run: all
	@scripts/run-samples.sh $(BUILD)

test: all
	cd $(BUILD) && $(CTEST) -j$(JOBS) --output-on-failure

bench: all
	@$(BUILD)/bench/ntps_bench

asan-test: deps
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNTPS_SANITIZE=address >/dev/null
	@$(CMAKE) --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:handle_segv=0:handle_sigfpe=0:handle_sigill=0:handle_abort=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) -j$(JOBS) --output-on-failure -LE 'nosan|plugin'

# TSan: the realtime tests on two processors, where threads really run in
# parallel; drivers that race on purpose carry the label "racy".
tsan-test: deps
	@$(CMAKE) -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNTPS_SANITIZE=thread >/dev/null
	@$(CMAKE) --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(CTEST) -j$(JOBS) --output-on-failure -L 'rt2|unit' -LE 'racy|nosan'

clean:
	rm -rf $(BUILD) build-asan build-tsan
