# The two commands: `make demo` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_DIR ?= demo
DEMO_CUSTOMERS ?= 20000

.PHONY: all setup build test demo bench format tidy clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	rm -rf $(DEMO_DIR)
	$(BUILD)/segmenta init $(DEMO_DIR) --demo $(DEMO_CUSTOMERS) --seed 42
	$(BUILD)/segmenta -C $(DEMO_DIR) ingest
	$(BUILD)/segmenta -C $(DEMO_DIR) features --out features.parquet
	$(BUILD)/segmenta -C $(DEMO_DIR) run --as-of 2026-08-01 > /dev/null
	$(BUILD)/segmenta -C $(DEMO_DIR) run
	$(BUILD)/segmenta -C $(DEMO_DIR) show behaviour
	$(BUILD)/segmenta -C $(DEMO_DIR) show profiles
	$(BUILD)/segmenta -C $(DEMO_DIR) value diagnose
	$(BUILD)/segmenta -C $(DEMO_DIR) value predict --limit 10
	$(BUILD)/segmenta -C $(DEMO_DIR) report --out report.html

bench: build
	@scripts/setup.sh --bench
	bench/run.sh

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

tidy: build
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'src/*.cc' 'apps/*.cc' | grep -v _test.cc)

clean:
	rm -rf $(BUILD)
