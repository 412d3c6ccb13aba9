#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make sure the Debian packages a step needs are installed: install them
# with apt-get when running as root, otherwise say which ones are missing.
#
# usage: tools/deps.sh <purpose> [extra packages...]
set -euo pipefail

purpose=${1:?usage: deps.sh <purpose> [packages...]}
shift
case "$purpose" in
kernel-build)
	pkgs="build-essential flex bison bc libelf-dev libssl-dev cpio kmod xz-utils python3 dwarves" ;;
module)
	pkgs="build-essential kmod" ;;
vm)
	pkgs="qemu-system-x86 busybox-static cpio kmod gzip e2fsprogs" ;;
uml)
	pkgs="busybox-static file" ;;
style)
	pkgs="sparse perl python3" ;;
plot)
	pkgs="gnuplot-nox" ;;
dkms)
	pkgs="dkms" ;;
*)
	pkgs="" ;;
esac
pkgs="$pkgs $*"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/pfc-update-stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720)" ]; then
	apt-get update -q >&2 || true
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 $missing >&2 || {
	echo "deps: apt-get install$missing failed" >&2
	exit 1
}
