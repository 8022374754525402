#!/bin/sh
# Installs the Debian packages punchlab builds and runs with, naming each
# missing one before it installs it. Used by `make scenarios` and `make test`.
set -eu

PKGS="gcc make pkg-config libmnl-dev libnftables-dev libinih-dev
libjansson-dev libssl-dev libcunit1-dev libnetfilter-queue-dev libnftnl-dev
libpcap-dev libnetfilter-conntrack-dev
nftables iproute2 iputils-ping python3 coturn miniupnpd-nftables
python3-matplotlib python3-numpy"
# `make fuzz`: clang and its libFuzzer runtime (not needed to build or test).
[ "${FUZZ:-0}" = 1 ] && PKGS="$PKGS clang libclang-rt-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "punchlab: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "punchlab: run as root (sudo make ...) so they can be installed" >&2
	exit 4
fi
echo "punchlab: installing them with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
