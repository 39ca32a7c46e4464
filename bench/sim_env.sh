# Sourced by the simulator experiments (fdp_*.sh) once they have set
# $build: run from the project root with its profiles, $vssd the program,
# $tmp a scratch directory removed at exit.
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
vssd=$build/vssd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
