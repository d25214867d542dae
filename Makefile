# The everyday verbs; CMake and ctest do the work.
#   make        build build/yijian and the console (web/dist)
#   make demo   install what is missing, build, create a demo database, serve the console
#   make check  install what is missing, build, run every test (also under ASan+UBSan)
#   make bench  benchmarks that print ratios against their baselines
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_DB ?= sqlite:demo/yijian.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build web demo check check-fast bench fuzz clean

all: build web

deps:
	@scripts/setup-deps

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

web:
	@if [ -d web/node_modules ]; then cd web && npm run --silent build; \
	 else echo "web/node_modules missing: run scripts/setup-deps (make demo/check do)" >&2; exit 1; fi

# The build's output goes to demo/build.log (shown only when it fails): the terminal keeps the
# banner with the address and accounts that scripts/demo prints at the end.
demo:
	@mkdir -p demo; echo "正在构建 / building (log: demo/build.log) ..."
	@$(MAKE) --no-print-directory deps all >demo/build.log 2>&1 || { tail -40 demo/build.log >&2; exit 1; }
	@scripts/demo $(DEMO_DB) $(LISTEN)

check: deps all
	@scripts/check

bench: deps all
	@bench/run

fuzz: deps
	@scripts/check fuzz-long

clean:
	rm -rf $(BUILD) build-asan build-fuzz web/dist
