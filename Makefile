# The two commands: `make demo` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_DIR ?= demo
DEMO_CUSTOMERS ?= 20000
DEMO_PORT ?= 8080
DEMO_SERVE ?= 1
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json 2>/dev/null)

.PHONY: all setup build web test demo bench format tidy clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The dashboard's static files, served by `segmenta serve`.
web: setup web/dist/index.html

web/dist/index.html: $(WEB_SOURCES)
	@if [ -f web/package.json ]; then cd web && npm run build; fi

test: build web
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build web
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
	$(BUILD)/segmenta -C $(DEMO_DIR) kpis --segmentation audiences
	$(BUILD)/segmenta -C $(DEMO_DIR) export audiences "Win-back" --hash-pii --out win-back.csv
	$(BUILD)/segmenta -C $(DEMO_DIR) experiment create winback-test --segment "audiences/Win-back" \
	  --variants A:45,B:45 --holdout 10 --goal "purchase within 14d" --start 2026-08-01
	$(BUILD)/segmenta -C $(DEMO_DIR) experiment analyze winback-test
	$(BUILD)/segmenta -C $(DEMO_DIR) report --out report.html
	@$(BUILD)/segmenta -C $(DEMO_DIR) token create --role admin --name demo > $(DEMO_DIR)/admin-token.txt 2>/dev/null
	@echo
	@echo "Dashboard: http://127.0.0.1:$(DEMO_PORT)/   sign in with the admin token in $(DEMO_DIR)/admin-token.txt:"
	@cat $(DEMO_DIR)/admin-token.txt
	@if [ "$(DEMO_SERVE)" = 1 ]; then echo "(Ctrl-C stops the server)"; \
	  $(BUILD)/segmenta -C $(DEMO_DIR) serve --port $(DEMO_PORT); fi

bench: build
	@scripts/setup.sh --bench
	bench/run.sh

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

tidy: build
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'src/*.cc' 'apps/*.cc' | grep -v _test.cc)

clean:
	rm -rf $(BUILD)
