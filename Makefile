# Two commands set everything up on a fresh Debian 12 machine:
#   make run   install, build, run the demo flow
#   make test  install, build, pass every test
BUILD_DIR ?= build
JOBS ?= 2
DEBIAN_PACKAGES = build-essential cmake ninja-build ccache pkg-config \
  libcaf-dev librocksdb-dev libboost1.81-dev libboost-json1.81-dev \
  libsimdjson-dev libjq-dev libssl-dev libcurl4-openssl-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libvalijson-dev \
  json-schema-test-suite curl zlib1g-dev
SSE_CLIENT_DIR = tests/blackbox/sse_eventsource
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build test run demo clean node sse-client browser

all: build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

configure: deps node
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Node builds the web page (ui/, npm ci from its lock file) and runs the
# black-box tests' independent SSE client: npm `eventsource`, pinned by its
# package-lock.json. Debian's nodejs and npm only when there is no node.
node:
	@command -v node >/dev/null 2>&1 || { echo "installing: nodejs npm"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }

sse-client: node
	@[ -d $(SSE_CLIENT_DIR)/node_modules ] || (cd $(SSE_CLIENT_DIR) && npm ci --no-audit --no-fund)

# The browser tests' Chromium: Debian's, never a download of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "installing: chromium"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: build sse-client browser
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: build node
	./scripts/serve_demo.sh $(BUILD_DIR)

# The command-line demo of the core runtime (no server).
demo: build
	./scripts/demo.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
