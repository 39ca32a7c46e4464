# Thin wrapper over Meson: `make demo` and `make test` do all the set-up.
BUILD   ?= build
SANBUILD ?= build-san
TSANBUILD ?= build-tsan

.PHONY: all deps build build-san build-tsan demo test bench clean

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

$(TSANBUILD)/build.ninja: | deps
	meson setup $(TSANBUILD) --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false

build-tsan: deps $(TSANBUILD)/build.ninja
	ninja -C $(TSANBUILD)

demo: build
	./$(BUILD)/vssd sim --profile default jobs/demo.fio

# release and ASan+UBSan run everything; ThreadSanitizer runs the threaded tests
test: build build-san build-tsan
	scripts/run-tests.sh $(BUILD) $(SANBUILD) $(TSANBUILD):threads

bench: build
	bench/speed.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SANBUILD) $(TSANBUILD)
