#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a User-Mode Linux kernel (ARCH=um) from Debian's
# linux-source-6.12 tarball with a config fragment, in the cache directory
# that tools/build-kernel.sh uses, and print the build directory on stdout:
# <dir>/linux is the UML kernel (a host program), and <dir> is what
# out-of-tree modules build against (make ARCH=um -C <dir> M=...).  The
# build is keyed on the source version, the fragment's contents and the
# compiler, so a second run rebuilds nothing.  bench/native.sh uses it.
#
# usage: tools/uml/build-uml.sh [fragment.config]
#
#   fragment   default tools/kconfig/uml.config
#
# environment: PFC_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/pfc),
# PFC_JOBS (make -j, default nproc).
#
# It uses the source tree that tools/build-kernel.sh extracts (same
# directory, same stamp, same lock for the extraction), through a private
# hard-linked copy with tools/uml/patches/*.patch applied (the patched
# files are copied first, so the shared tree stays as extracted), and
# builds under its own lock, so it does not wait for a debug kernel being
# built meanwhile.  Nothing is installed: no modules_install, nothing
# under /lib/modules.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/.." && pwd)
frag=${1:-$tools/kconfig/uml.config}
ver=6.12
cache=${PFC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfc}
tarball=/usr/src/linux-source-$ver.tar.xz
jobs=${PFC_JOBS:-$(nproc)}

log() { echo "build-uml: $*" >&2; }
die() { log "$*"; exit 1; }

[ -f "$frag" ] || die "no config fragment $frag"
case "$(uname -m)" in
x86_64) ;;
*) die "UML here is built for an x86_64 host, this is $(uname -m)" ;;
esac
"$tools/deps.sh" kernel-build "linux-source-$ver" patch >&2 ||
	die "missing packages for a kernel build (tools/deps.sh kernel-build linux-source-$ver patch)"
[ -f "$tarball" ] || die "missing $tarball (apt-get install linux-source-$ver)"

mkdir -p "$cache"
src=$cache/linux-source-$ver
stamp_src=$(stat -c %Y-%s "$tarball")
extracted() { [ -f "$src/.pfc-extracted" ] && [ "$(cat "$src/.pfc-extracted")" = "$stamp_src" ]; }
if ! extracted; then
	# The same extraction as tools/build-kernel.sh, under its lock.
	(
		flock 8
		if ! extracted; then
			log "extracting $tarball into $cache"
			rm -rf "$src"
			tar -C "$cache" -xf "$tarball"
			echo "$stamp_src" >"$src/.pfc-extracted"
		fi
	) 8>"$cache/.lock-$ver"
fi

exec 9>"$cache/.lock-uml-$ver"
flock 9

shopt -s nullglob
patches=("$here"/patches/*.patch)
shopt -u nullglob
key=$( { echo "ARCH=um"; echo "$stamp_src"; cat "$frag"; cat ${patches[@]+"${patches[@]}"};
	gcc --version | head -1; } | sha256sum | cut -c1-12)
name=$(basename "$frag" .config)
out=$cache/build-$ver-$name-$key
usrc=$cache/linux-source-$ver-$name-$key
if [ -f "$out/.pfc-built" ] && [ -x "$out/linux" ]; then
	echo "$out"
	exit 0
fi

log "building UML linux-$ver ($name) in $out with $jobs jobs; this takes 5-20 minutes once"
rm -rf "$out" "$usrc"
# The private source tree: hard links to the shared one, except the files
# a patch changes, which are copied before patching.
cp -al "$src" "$usrc"
rm -f "$usrc/.pfc-extracted"
for p in ${patches[@]+"${patches[@]}"}; do
	while IFS= read -r f; do
		[ -f "$usrc/$f" ] || die "$(basename "$p"): no $f in the source"
		cp --remove-destination "$src/$f" "$usrc/$f"
	done < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p")
	log "applying $(basename "$p")"
	patch -s -p1 -d "$usrc" --no-backup-if-mismatch <"$p" >&2 ||
		die "$(basename "$p") does not apply to linux-source-$ver"
done
mkdir -p "$out"
cp "$frag" "$out/.config"
make -s -C "$usrc" O="$out" ARCH=um olddefconfig >&2
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx "$line" "$out/.config" && continue ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$out/.config" || continue ;;
	*)
		continue ;;
	esac
	log "config line did not survive olddefconfig: $line"
	missing=1
done <"$frag"
[ "$missing" = 0 ] || die "fix $frag (a dependency is missing or a default forces it)"

start=$(date +%s)
if ! make -s -C "$usrc" O="$out" ARCH=um -j"$jobs" linux modules >"$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	die "UML kernel build failed; full log in $out/build.log"
fi
# Out-of-tree modules need modules_prepare'd headers and Module.symvers.
make -s -C "$usrc" O="$out" ARCH=um -j"$jobs" modules_prepare >>"$out/build.log" 2>&1 ||
	die "modules_prepare failed; full log in $out/build.log"
[ -x "$out/linux" ] || die "no $out/linux after the build; see $out/build.log"
secs=$(( $(date +%s) - start ))
echo "$secs" >"$out/.pfc-build-seconds"
log "built in ${secs}s"
touch "$out/.pfc-built"
echo "$out"
