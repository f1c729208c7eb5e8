#!/usr/bin/env bash
# Installs the Debian packages tcplab needs for a job, only those missing.
# usage: scripts/ensure-debian.sh start|test|bench
# Used by `npm start`, `npm test` (pretest) and .ci/run, so users and CI run the very same thing.
# Not root or no apt-get (not Debian): says what is missing and goes on; the features that need
# a missing tool then say so themselves.
set -u
job=${1:-test}
case "$job" in
  start) pkgs="tcpdump iproute2" ;;
  test)  pkgs="tcpdump iproute2 nftables ethtool wireshark-common tshark chromium" ;;
  bench) pkgs="tcpdump iproute2 golang-go tshark wireshark-common" ;;
  *) echo "usage: $0 start|test|bench" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "tcplab: missing Debian packages:$missing (install them as root: apt-get install -y$missing)" >&2
  exit 0
fi
echo "tcplab: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || { echo "tcplab: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -q $missing >&2 || { echo "tcplab: apt-get install$missing failed" >&2; exit 1; }
