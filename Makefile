# Thin wrapper over Meson: `make demo` and `make test` do all the set-up.
BUILD   ?= build
SANBUILD ?= build-san
TSANBUILD ?= build-tsan
FUZZBUILD ?= build-fuzz

.PHONY: all deps build build-san build-tsan build-fuzz demo test bench install clean

all: build

# packages, then the source of Debian's fio for the fio engine (or a
# message saying why the engine is skipped)
deps:
	@scripts/deps.sh
	@scripts/fio-source.sh .deps

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release

$(SANBUILD)/build.ninja: | deps
	meson setup $(SANBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dcheck_after_gc=true

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-san: deps $(SANBUILD)/build.ninja
	ninja -C $(SANBUILD)

$(TSANBUILD)/build.ninja: | deps
	meson setup $(TSANBUILD) --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false

build-tsan: deps $(TSANBUILD)/build.ninja
	ninja -C $(TSANBUILD)

$(FUZZBUILD)/build.ninja: | deps
	CC=clang meson setup $(FUZZBUILD) --buildtype=debugoptimized -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all

build-fuzz: deps $(FUZZBUILD)/build.ninja
	ninja -C $(FUZZBUILD) tests/fuzz_sqe tests/fuzz_sqe_zns tests/fuzz_jobfile tests/fuzz_trace tests/fuzz_profile tests/fuzz_devfile tests/fuzz_nvmf

demo: build
	./$(BUILD)/vssd sim --profile default jobs/demo.fio

# release and ASan+UBSan run everything (UBSan built not to recover: a report
# stops the program, so no test passes over one, and a report from a plugin
# inside nbdkit cannot leave the server hung at exit in glibc's locale lock); ThreadSanitizer runs the threaded
# tests; the clang build runs the libFuzzer target for a fixed budget
test: build build-san build-tsan build-fuzz
	scripts/run-tests.sh $(BUILD) $(SANBUILD) $(TSANBUILD):threads $(FUZZBUILD):fuzz

bench: build
	bench/speed.sh $(BUILD)

# PREFIX (default: as $(BUILD) was set up, /usr/local) and DESTDIR honoured;
# the nbdkit plugin goes to nbdkit's plugin folder (`nbdkit vssd` by name)
install: build
	DESTDIR="$(DESTDIR)" scripts/install.sh $(BUILD) $(PREFIX)

clean:
	rm -rf $(BUILD) $(SANBUILD) $(TSANBUILD) $(FUZZBUILD)
