#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package, end to end, never on this machine: build
# pfc-dkms_<version>_all.deb (tools/deb.sh: dpkg-buildpackage + lintian),
# then, in a throwaway Debian 12 root (debootstrap minbase, cached as a
# tarball and unpacked afresh each run), `apt-get install ./pfc-dkms_*.deb`
# next to Debian's 6.12 headers: DKMS must build and install pfc.ko for
# that kernel; `apt-get remove` must take it away again.  The root's own
# /boot and /lib/modules get the kernel packages; the host's are untouched.
#
# usage: tools/deb-check.sh
#
# Needs root (chroot, mounts) and the network to Debian's archive; as
# another user the chroot part is skipped.  Prints PASS/FAIL/SKIP lines,
# then RESULT deb passed=N failed=M skipped=K.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PFC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfc}
passed=0 failed=0 skipped=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() { echo "SKIP $*"; skipped=$((skipped + 1)); }
finish() {
	echo "RESULT deb passed=$passed failed=$failed skipped=$skipped"
	[ "$failed" = 0 ]
	exit
}

mkdir -p "$root/build"
deb=$("$root/tools/deb.sh" 2>"$root/build/deb.log" | tail -1)
rc=${PIPESTATUS[0]}
case "$rc" in
0) pass "dpkg-buildpackage: $(basename "$deb"); lintian clean" ;;
2) pass "dpkg-buildpackage: $(basename "$deb")"
   fail "lintian:"; grep '^lintian:' "$root/build/deb.log" | sed 's/^/  /' ;;
*) fail "dpkg-buildpackage"; tail -10 "$root/build/deb.log" | sed 's/^/  /'; finish ;;
esac

if [ "$(id -u)" != 0 ]; then
	skip "install in a throwaway root: needs root"
	finish
fi
"$root/tools/deps.sh" deb debootstrap >&2 || { fail "cannot install debootstrap"; finish; }

# The host's Debian mirror and security archive, from its apt sources.
sources=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep '^deb ' || true)
mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(echo "$sources" | awk '$2 ~ /\/debian\/?$/ {print $2; exit}')
[ -n "$mirror" ] || { fail "no Debian mirror in the host's apt sources"; finish; }

base=$cache/chroot/bookworm-minbase.tar
if [ ! -s "$base" ]; then
	echo "deb-check: making a minbase root once (about a minute)" >&2
	mkdir -p "$(dirname "$base")"
	tmp=$(mktemp -d "$cache/chroot/mk.XXXXXX")
	if ! debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" >"$cache/chroot/debootstrap.log" 2>&1; then
		fail "debootstrap (log $cache/chroot/debootstrap.log)"
		rm -rf "$tmp"
		finish
	fi
	tar -C "$tmp/root" -cf "$base.part" . && mv "$base.part" "$base"
	rm -rf "$tmp"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-deb.XXXXXX")
chr=$work/root
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null
	done
	if grep -q " $chr" /proc/self/mounts; then
		echo "deb-check: mounts remain under $chr; not deleting it" >&2
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
mkdir -p "$chr" && tar -C "$chr" -xf "$base"
for m in proc sys dev; do
	mount --bind "/$m" "$chr/$m" && mounts+=("$chr/$m")
done
cp /etc/resolv.conf "$chr/etc/resolv.conf" 2>/dev/null
# The host's sources, so that the root sees the same kernel point release.
cp -r /etc/apt/sources.list* "$chr/etc/apt/" 2>/dev/null
cp "$deb" "$chr/tmp/"
in_root() { chroot "$chr" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

log=$root/build/deb-install.log
if in_root apt-get update -q >"$log" 2>&1 &&
   in_root apt-get install -y -q --no-install-recommends \
	"/tmp/$(basename "$deb")" linux-headers-6.12-amd64 >>"$log" 2>&1; then
	pass "apt-get install ./$(basename "$deb") with linux-headers-6.12-amd64 in a fresh root"
else
	fail "apt-get install in the fresh root (log $log)"
	tail -15 "$log" | sed 's/^/  /'
	finish
fi
kver=$(cd "$chr/usr/src" && ls -d linux-headers-6.12.*-amd64 | sed 's/^linux-headers-//' | sort -V | tail -1)
ko=$(ls "$chr/lib/modules/$kver/updates/dkms/"pfc.ko* 2>/dev/null | head -1)
if [ -n "$ko" ] && in_root dkms status pfc 2>/dev/null | grep -q "pfc/.*, $kver, .*: installed"; then
	pass "DKMS built and installed pfc for $kver: ${ko#"$chr"}"
else
	fail "no pfc.ko from DKMS for $kver ($(in_root dkms status 2>&1 | tr '\n' ';'))"
fi
if in_root modinfo -F vermagic "${ko#"$chr"}" 2>/dev/null | grep -q "^$kver "; then
	pass "modinfo: vermagic $kver"
else
	fail "modinfo of ${ko#"$chr"}"
fi
sv=$(ls "$chr/var/lib/dkms/pfc/"*/"$kver"/*/Module.symvers 2>/dev/null | head -1)
if [ -n "$sv" ] && [ -f "$chr/usr/src/pfc-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")/pfc.h" ]; then
	pass "pfc.h in /usr/src and Module.symvers in ${sv#"$chr"} for consumers"
else
	fail "pfc.h or Module.symvers missing for consumers"
fi
if in_root apt-get remove -y -q pfc-dkms >>"$log" 2>&1 &&
   ! ls "$chr/lib/modules/$kver/updates/dkms/"pfc.ko* >/dev/null 2>&1 &&
   [ -z "$(in_root dkms status pfc 2>/dev/null)" ]; then
	pass "apt-get remove pfc-dkms removes the module and the DKMS entry"
else
	fail "apt-get remove pfc-dkms (log $log)"
fi
finish
