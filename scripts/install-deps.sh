#!/bin/sh
# Installs every build and test dependency of svopi on Debian 12.
# Used by README.md and .ci/run; safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

BUILD="build-essential autoconf automake libtool pkg-config clang
	libclang-rt-14-dev llvm
	libevent-dev libssl-dev libsrtp2-dev libpulse-dev libsystemd-dev
	libsqlite3-dev libargon2-dev libjson-c-dev libsndfile1-dev libpq-dev
	libopus-dev libspeexdsp-dev"
TEST="openssl curl tshark dbus dbus-daemon dbus-user-session sqlite3
	kamailio kamailio-tls-modules sip-tester pulseaudio pulseaudio-utils
	nginx-light wrk chromium iproute2 procps psmisc xxd espeak-ng sox
	postgresql postgresql-client
	ca-certificates dunst xvfb
	dpkg-dev debhelper lintian mandoc man-db systemd libglib2.0-bin"
# Optional: only the benchmarks need these (bench/setup compares against
# baresip 1.0; bench/concurrency drives D-Bus from python; perf, strace
# for the profiles in docs/performance-setup.md).
BENCH="baresip-core python3-dbus linux-perf strace"

$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $BUILD $TEST
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $BENCH ||
	echo "install-deps: the optional benchmark packages did not install" >&2
# Node.js drives Chromium in the web-page tests; the machine image may ship
# its own node with npm, which conflicts with Debian's npm package.
if ! command -v node >/dev/null 2>&1; then
	$SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi
