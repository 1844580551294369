# Two commands set everything up on a fresh Debian 12 machine:
#   make run   install, build, run the demo flow
#   make test  install, build, pass every test
BUILD_DIR ?= build
JOBS ?= 2
DEBIAN_PACKAGES = build-essential cmake ninja-build ccache pkg-config \
  libcaf-dev librocksdb-dev libboost1.81-dev libboost-json1.81-dev \
  libsimdjson-dev libjq-dev libssl-dev libcurl4-openssl-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libvalijson-dev
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build test run clean

all: build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

configure: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: build
	./scripts/demo.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
