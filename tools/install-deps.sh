#!/usr/bin/env bash
# Installs the Debian 12 packages zsim builds and tests with, skipping the ones
# already present (so it is quick on a machine that has them). Run as root.
#
#   tools/install-deps.sh            build + test dependencies
#   tools/install-deps.sh --oracle   also what the full test suite runs against:
#                                    the real ZooKeeper 3.8 server (the shell
#                                    conformance test's oracle) and Chromium
#                                    (the diagram's headless-browser test)
set -euo pipefail

packages=(
  cmake ninja-build g++ git
  libfmt-dev libboost-context-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  # the interactive shell's line editing (BSD-licensed)
  libedit-dev
  # xmllint: the tests validate zsim's JUnit reports with a real XML parser
  libxml2-utils
  # the fuzz preset: clang 14; libclang-rt-dev depends on libclang-rt-14-dev,
  # which holds libFuzzer (libclang_rt.fuzzer-x86_64.a) and the sanitizers
  clang libclang-rt-dev
)
if [[ "${1:-}" == "--oracle" ]]; then
  packages+=(zookeeper default-jre-headless chromium)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: must run as root to install packages (try: sudo $0 $*)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
