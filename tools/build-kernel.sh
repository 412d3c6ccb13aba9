#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a kernel from Debian's linux-source-<ver> tarball with a
# config fragment, in a cache directory outside the clone, and print the
# build directory on stdout.  The cache is keyed on the source version, the
# fragment's contents and the compiler, so a second run rebuilds nothing.
#
# usage: tools/build-kernel.sh <6.12|6.1> <fragment.config>
set -euo pipefail

ver=${1:?usage: build-kernel.sh <version> <fragment>}
frag=${2:?usage: build-kernel.sh <version> <fragment>}
here=$(cd "$(dirname "$0")" && pwd)
cache=${PFC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfc}
tarball=/usr/src/linux-source-$ver.tar.xz
jobs=${PFC_JOBS:-$(nproc)}

log() { echo "build-kernel: $*" >&2; }

"$here/deps.sh" kernel-build "linux-source-$ver" >&2
[ -f "$tarball" ] || { log "missing $tarball (apt-get install linux-source-$ver)"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock-$ver"
flock 9

src=$cache/linux-source-$ver
stamp_src=$(stat -c %Y-%s "$tarball")
if [ ! -f "$src/.pfc-extracted" ] || [ "$(cat "$src/.pfc-extracted")" != "$stamp_src" ]; then
	log "extracting $tarball into $cache"
	rm -rf "$src"
	tar -C "$cache" -xf "$tarball"
	echo "$stamp_src" > "$src/.pfc-extracted"
fi

key=$( { echo "$stamp_src"; cat "$frag"; gcc --version | head -1; } | sha256sum | cut -c1-12)
name=$(basename "$frag" .config)
out=$cache/build-$ver-$name-$key
if [ -f "$out/.pfc-built" ]; then
	echo "$out"
	exit 0
fi

log "building linux-$ver ($name) in $out with $jobs jobs; this takes a few minutes once"
mkdir -p "$out"
# An empty .config plus the fragment, completed with defaults: a small
# kernel that builds in minutes (what kunit.py does for its qemu configs).
cp "$frag" "$out/.config"
make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx "$line" "$out/.config"; then
		log "config line did not survive olddefconfig: $line"
		missing=1
	fi
done < "$frag"
[ "$missing" = 0 ] || { log "fix $frag (a dependency is missing)"; exit 1; }

start=$(date +%s)
if ! make -s -C "$src" O="$out" ARCH=x86_64 -j"$jobs" bzImage modules >"$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	log "kernel build failed; full log in $out/build.log"
	exit 1
fi
# Out-of-tree modules need modules_prepare'd headers and Module.symvers.
make -s -C "$src" O="$out" ARCH=x86_64 -j"$jobs" modules_prepare >>"$out/build.log" 2>&1
log "built in $(( $(date +%s) - start ))s"
touch "$out/.pfc-built"
echo "$out"
