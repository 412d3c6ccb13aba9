#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian stock kernel to boot under qemu and build modules against,
# without installing it on this machine: the kernel image package (vmlinuz
# and its modules) and the headers packages (linux-headers-<KVER>, its
# -common part and linux-kbuild) are fetched with `apt-get download` and
# unpacked with `dpkg-deb -x` into the cache, keyed by the kernel release.
# /boot, GRUB, the host's initramfs, /usr/src and /lib/modules are never
# touched.  (Installing the headers as packages would not do: Debian's 6.12
# headers package depends on the kernel image package.)
#
# usage: tools/stock-kernel.sh SERIES|KVER
#   SERIES  6.12, 6.12-rt or 6.1: the release Debian's metapackage
#           currently names (linux-headers-6.12-amd64,
#           linux-headers-6.12-rt-amd64 for the PREEMPT_RT flavour;
#           linux-headers-amd64 for 6.1), or, when apt does not know it,
#           the newest one already in the cache
#   KVER    an exact release, e.g. 6.12.117+deb12-amd64 or, for the
#           PREEMPT_RT flavour, 6.12.117+deb12-rt-amd64
#
# Prints one line, "KVER ROOT": the kernel is ROOT/boot/vmlinuz-KVER, its
# modules (with modules.dep) are under ROOT/lib/modules/KVER, and
# ROOT/usr/src/linux-headers-KVER is the KDIR to build modules with.  Exit
# status 1, with the reason on stderr, when they cannot be had.
#
# environment: PFC_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/pfc).
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin	# depmod, for a user without them

here=$(cd "$(dirname "$0")" && pwd)
cache=${PFC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfc}
want=${1:?usage: stock-kernel.sh SERIES|KVER}

die() { echo "stock-kernel: $*" >&2; exit 1; }

"$here/deps.sh" module apt dpkg >&2 || die "missing packages (tools/deps.sh module)"

updated=0
apt_update() {
	[ "$updated" = 0 ] && [ "$(id -u)" = 0 ] || return 1
	updated=1
	apt-get update -q >&2 || true
}

# depends_of PKG: the package names in the candidate version's Depends.
depends_of() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//'
}

# resolve SERIES: the exact release its headers metapackage depends on.
# flavour KVER...: those of the flavour asked for (-rt-amd64 or plain).
flavour() {
	if [ "$rt" = 1 ]; then grep -- '-rt-amd64$'; else grep -v -- '-rt-amd64$'; fi || true
}
resolve() {
	local meta=linux-headers-6.12-amd64 v series=$1
	rt=0
	case "$1" in
	6.1) meta=linux-headers-amd64 ;;
	6.12-rt) meta=linux-headers-6.12-rt-amd64 series=6.12 rt=1 ;;
	esac
	v=$(depends_of "$meta" | sed -n "s/^linux-headers-\($series\.[^ ]*-amd64\)$/\1/p" | flavour | head -1)
	if [ -z "$v" ] && apt_update; then
		v=$(depends_of "$meta" | sed -n "s/^linux-headers-\($series\.[^ ]*-amd64\)$/\1/p" | flavour | head -1)
	fi
	if [ -z "$v" ]; then
		# Offline: what an earlier run unpacked.
		v=$({ ls -d "$cache/stock/$series".*-amd64 2>/dev/null || true; } |
			sed 's|.*/||' | flavour | sort -V | tail -1)
	fi
	echo "$v"
}

case "$want" in
6.12|6.12-rt|6.1)
	kver=$(resolve "$want")
	[ -n "$kver" ] || die "apt knows no $want kernel (apt-get update?) and none is cached"
	;;
*)
	kver=$want ;;
esac

dir=$cache/stock/$kver
kdir=$dir/usr/src/linux-headers-$kver
# What the unpacked headers run when a module is built (gcc-12, pahole,
# the libraries of kbuild's tools): what their packages depend on, less
# the linux-* packages unpacked here.  Installed as packages, when missing.
needs() {
	# shellcheck disable=SC2046
	"$here/deps.sh" module $(cat "$dir/.needs") >&2 ||
		die "missing packages the headers need: $(cat "$dir/.needs")"
}
if [ -f "$dir/.complete" ]; then
	needs
	echo "$kver $dir"
	exit 0
fi

dl=$(mktemp -d "${TMPDIR:-/tmp}/pfc-stock.XXXXXX")
chmod 755 "$dl"	# apt's _apt user downloads into it when run as root
trap 'rm -rf "$dl"' EXIT

# download PKG...: into $dl, trying again after an apt-get update.
download() {
	(cd "$dl" && apt-get download -q "$@" >&2) && return 0
	apt_update && (cd "$dl" && apt-get download -q "$@" >&2)
}

# The headers, and the -common and kbuild packages they need.
pkgs="linux-headers-$kver"
deps=$(depends_of "linux-headers-$kver")
[ -n "$deps" ] || { apt_update && deps=$(depends_of "linux-headers-$kver"); } ||
	die "apt knows no linux-headers-$kver"
for p in $deps; do
	case "$p" in
	linux-headers-*-common|linux-headers-*-common-*|linux-kbuild-*) pkgs="$pkgs $p" ;;
	esac
done
# shellcheck disable=SC2086
download $pkgs || die "cannot download $pkgs"
need=""
for p in $pkgs; do
	for d in $(depends_of "$p"); do
		case "$d" in
		linux-image-*|linux-headers-*|linux-kbuild-*|linux-base) ;;
		linux-compiler-*) need="$need $(depends_of "$d" | tr '\n' ' ')" ;;
		*) need="$need $d" ;;
		esac
	done
done
# The signed image where Debian has one, else the unsigned build: both hold
# the same vmlinuz and modules.
download "linux-image-$kver" || download "linux-image-$kver-unsigned" ||
	die "cannot download linux-image-$kver"

echo "stock-kernel: unpacking $(cd "$dl" && ls | sed 's/_.*//' | tr '\n' ' ')into $dir (nothing is installed)" >&2
rm -rf "$dir"
mkdir -p "$dir"
for deb in "$dl"/*.deb; do
	dpkg-deb -x "$deb" "$dir" || die "dpkg-deb -x $(basename "$deb") failed"
done
[ -f "$dir/boot/vmlinuz-$kver" ] || die "no boot/vmlinuz-$kver in linux-image-$kver"
if [ ! -d "$dir/lib/modules/$kver/kernel" ] && [ -d "$dir/usr/lib/modules/$kver/kernel" ]; then
	mkdir -p "$dir/lib/modules"
	ln -s "../../usr/lib/modules/$kver" "$dir/lib/modules/$kver"
fi
[ -d "$dir/lib/modules/$kver/kernel" ] || die "no lib/modules/$kver in linux-image-$kver"
# The image package's postinst would run depmod: modules.dep is how a
# module's dependencies are found here.
depmod -b "$dir" "$kver" || die "depmod -b $dir $kver failed"
# The headers' Makefile includes the -common tree by its absolute path;
# every other link in them is relative.
[ -f "$kdir/Makefile" ] || die "no $kdir/Makefile in linux-headers-$kver"
sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$kdir/Makefile"
ln -sfn "$kdir" "$dir/lib/modules/$kver/build"
echo "$need" | tr ' ' '\n' | sed '/^$/d' | sort -u >"$dir/.needs"
needs
touch "$dir/.complete"
echo "$kver $dir"
