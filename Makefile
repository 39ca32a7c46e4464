# Thin wrapper over Meson: `make demo` and `make test` do all the set-up.
BUILD   ?= build
SANBUILD ?= build-san

.PHONY: all deps build build-san demo test bench clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release

$(SANBUILD)/build.ninja: | deps
	meson setup $(SANBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-san: deps $(SANBUILD)/build.ninja
	ninja -C $(SANBUILD)

demo: build
	./$(BUILD)/vssd sim --profile default jobs/demo.fio

test: build build-san
	scripts/run-tests.sh $(BUILD) $(SANBUILD)

bench: build
	bench/speed.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SANBUILD)
