#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: pfc and its sample security module pfc_guard on Debian's
# stock kernel, in qemu.  On a fresh Debian 12 machine (as root) it
# installs what it needs, builds pfc.ko and pfc_guard.ko against Debian's
# linux-headers-6.12, boots Debian's 6.12 kernel (the image package
# unpacked into the cache by tools/stock-kernel.sh, never installed on the
# machine) with a busybox initramfs through tools/vm/boot.sh, and shows a scripted session:
# a file allowed, its digest denied, the verdict cache, a modified file
# hashed again, contexts freed by drop_caches and by umount, clean unload.
#
# usage: tools/demo.sh [--check] [-v]
#
#   --check  run the pfc_guard checks instead of the demo session: the
#            checks go to stderr, and one line to stdout (for make check,
#            tools/check.d/): RESULT guard-6.12 passed=N failed=M skipped=0
#   -v       stream the whole guest console while it runs
#
# environment: KVER (kernel release or series for tools/stock-kernel.sh,
# default 6.12), PFC_KVM=1 and the other
# variables of tools/vm/boot.sh, DEMO_LOG (console log; default
# build/demo/console.log).
#
# The guest side lives in samples/pfc_guard/test/: lib.sh, then demo.sh or
# check.sh.  Exit status: 0 when every step behaved as shown; 1 when one
# did not, or the kernel warned; 2 on a setup error; 3-5 as boot.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
mode=demo
verbose=()
for arg in "$@"; do
	case "$arg" in
	--check) mode=check ;;
	-v) verbose=(-v) ;;
	*) sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done

out=$top/build/demo
log=${DEMO_LOG:-$out/console.log}
mkdir -p "$out"
say() {
	if [ "$mode" = check ]; then echo "demo: $*" >&2
	elif [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"
	else echo "$*"; fi
}
die() { echo "demo: $*" >&2; exit 2; }

# --- what a fresh machine needs ---------------------------------------------
say "Checking packages (installed with apt-get when missing, as root)"
tools/deps.sh module >&2 || die "missing packages (tools/deps.sh module)"
tools/deps.sh vm >&2 || die "missing packages (tools/deps.sh vm)"
tools/deps.sh demo xz-utils libc6-dev >&2 || die "missing packages"

# Debian's kernel and its headers, unpacked into the cache (never
# installed on this machine: /boot and GRUB stay as they are).
stock=$(tools/stock-kernel.sh "${KVER:-6.12}") ||
	die "no stock kernel ${KVER:-6.12} (tools/stock-kernel.sh)"
KVER=${stock%% *}
kernel=${stock#* }/boot/vmlinuz-$KVER
kmods=${stock#* }/lib/modules/$KVER
kdir=${stock#* }/usr/src/linux-headers-$KVER

# --- build --------------------------------------------------------------------
# From a private copy of the sources, so that a concurrent build of the
# working tree against another kernel cannot swap the modules under us.
say "Building pfc.ko and pfc_guard.ko against $kdir"
src=$out/src
rm -rf "$src" && mkdir -p "$src/samples"
cp Kbuild ./*.c ./*.h "$src/"
cp -r samples/pfc_guard "$src/samples/"
make -s -C "$kdir" M="$src" modules >&2 || die "module build failed"
pfc_ko=$src/pfc.ko
guard_ko=$src/samples/pfc_guard/pfc_guard.ko
for f in "$pfc_ko" "$guard_ko"; do
	[ -f "$f" ] || die "no $f after the build"
done
gcc -O2 -Wall -static -o "$out/pfcstat" tools/pfcstat/pfcstat.c ||
	die "building pfcstat failed"
gcc -O2 -Wall -static -o "$out/guardt" samples/pfc_guard/test/guardt.c ||
	die "building guardt failed"

# ext4 for the drop_caches step: Debian builds it as a module; the guest
# has no modprobe database, so hand it the decompressed modules.
mods=$out/modules
rm -rf "$mods" && mkdir -p "$mods"
for m in lib/crc16 fs/mbcache fs/jbd2/jbd2 crypto/crc32c_generic \
	 drivers/block/loop fs/ext4/ext4 fs/overlayfs/overlay; do
	src=$kmods/kernel/$m.ko
	if [ -f "$src.xz" ]; then
		xz -dc "$src.xz" >"$mods/$(basename "$m").ko"
	elif [ -f "$src" ]; then
		cp "$src" "$mods/"
	else
		die "no $src{,.xz} (linux-image-$KVER)"
	fi
done
img_src=$out/ext4-files
rm -rf "$img_src" && mkdir -p "$img_src"
echo "a file on ext4" >"$img_src/readme.txt"
seq 1 2000 >"$img_src/numbers.txt"
echo "more of the same" >"$img_src/more.txt"
rm -f "$out/ext4.img" "$out/t.img"
# t.img: an empty one, where the checks run on 6.1 (check.sh, t_load)
mke2fs -q -t ext4 "$out/t.img" 32M >"$out/mke2fs.log" 2>&1 ||
	die "mke2fs failed: $(cat "$out/mke2fs.log")"
mke2fs -q -t ext4 -d "$img_src" "$out/ext4.img" 8M >"$out/mke2fs.log" 2>&1 ||
	die "mke2fs failed: $(cat "$out/mke2fs.log")"

guest=$out/guest-$mode.sh
cat samples/pfc_guard/test/lib.sh "samples/pfc_guard/test/$mode.sh" >"$guest"

# --- boot -------------------------------------------------------------------
say "Booting $kernel in qemu (TCG, about a minute)"
boot() {
	tools/vm/boot.sh "${verbose[@]}" -a loglevel=5 -t 480 \
		-f "$pfc_ko:/pfc.ko" -f "$guard_ko:/pfc_guard.ko" \
		-f "$out/pfcstat:/bin/pfcstat" -f "$out/guardt:/bin/guardt" \
		-f "$out/ext4.img:/ext4.img" -f "$out/t.img:/t.img" -d "$mods:/modules" \
		"$kernel" "$guest" "$log"
}
set +e
boot
rc=$?
if [ "$rc" = 4 ]; then
	# Died before the guest script started: the early-boot TCG flake of
	# design.md section 5, not a test result.  Once more.
	echo "demo: boot failure, retrying once" >&2
	boot
	rc=$?
fi
set -e

# The guest's own lines: between the start and exit markers, without the
# kernel's timestamped lines (a warning would fail kernel_clean anyway).
transcript=$out/transcript-$mode.txt
sed -n '/PFC-VM: stage=guest-start/,/PFC-VM: guest-exit/p' "$log" |
	grep -v -E '^\[ *[0-9]+\.[0-9]+\]|PFC-VM:' >"$transcript" || true
if [ "$mode" = demo ]; then
	say "The session in the guest (whole console: $log)"
	cat "$transcript"
else
	grep -v '^RESULT ' "$transcript" >&2
	grep '^RESULT ' "$transcript" ||
		echo "RESULT guard-$(case $KVER in *-rt-*) echo rt- ;; esac)$(echo "$KVER" | cut -d. -f1,2) passed=0 failed=1 skipped=0"
fi

if grep -nE '^\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|Call Trace|Kernel panic)' "$log" >&2; then
	echo "demo: the kernel log has warnings: $log" >&2
	[ "$rc" != 0 ] || rc=1
fi
case "$rc" in
0) [ "$mode" = check ] || say "Demo finished: every step behaved as shown." ;;
1) echo "demo: a step did not behave as shown (log: $log)" >&2 ;;
*) echo "demo: the VM did not finish (boot.sh status $rc, log: $log)" >&2 ;;
esac
exit "$rc"
