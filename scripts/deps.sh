#!/usr/bin/env bash
# Installs the Debian packages vssd needs to build and test, and only those
# that are missing. Run as root (or with sudo available) on Debian 12.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	libinih-dev libjson-c-dev libcmocka-dev
	jq gnuplot-nox
	clang libclang-rt-14-dev clang-format
	nbdkit nbdkit-plugin-dev libnbd-bin python3-libnbd fio qemu-utils
	e2fsprogs util-linux
	# vssd sweep --executor slurm, tested against a one-node cluster
	slurm-wlm munge
	# the NVMe/TCP target's tests: a Linux guest under QEMU's emulation
	# (tests/guest), and nvme-cli to copy into it
	qemu-system-x86 nvme-cli
	# f2fs over a zoned namespace in that guest (mkfs.f2fs -m)
	f2fs-tools
	# fio's source for the fio engine (scripts/fio-source.sh): apt-get
	# source unpacks with dpkg-dev, and fio's configure finds the libraries
	# Debian's fio was built with only if their headers are here
	dpkg-dev libaio-dev librdmacm-dev libibverbs-dev libnbd-dev zlib1g-dev libnuma-dev
)

missing=()
for p in "${packages[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
