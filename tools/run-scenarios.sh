#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pfc on Debian's stock kernel: build pfc.ko and the scenario consumer
# (tools/scenarios/pfc_watch) against Debian's linux-headers, boot Debian's
# own kernel under qemu (tools/vm/boot.sh), load them with insmod and run
# the scenarios of tools/scenarios/guest.sh from user space, on tmpfs and on
# ext4 (an image made here with mke2fs -d, on a loop device in the guest,
# with Debian's ext4 and loop modules).
#
# usage: tools/run-scenarios.sh [-k KVER] [-n CHURN_FILES] [-f "tmpfs ext4"]
#                               [-s REGEX] [-c CPUS] [-L LEVEL] [-l LOG] [-v]
#                               [-K PFC_KO] [-S SECS] [-N NAME]
#   -k KVER   kernel release or series, as tools/stock-kernel.sh takes it
#             (default 6.12: the newest 6.12.*-amd64 whose headers are
#             installed); the image is unpacked into the cache, not installed
#   -n N      files in the churn scenario (default 20000)
#   -f LIST   file systems to run on (default "tmpfs ext4 overlay fuse";
#             also xfs and btrfs, on images made here with Debian's
#             xfsprogs and btrfs-progs; overlay: an overlay on a tmpfs;
#             fuse: tools/scenarios/pfc_fusefs.c, built with libfuse3-dev)
#   -s REGEX  run only the scenarios whose <fs>/<name> matches (grep -E)
#   -c CPUS   guest vCPUs (default 2)
#   -L LEVEL  kernel console loglevel (default 5: warnings and worse; 8
#             shows everything, stack dumps of hung tasks included)
#   -l LOG    console log (default build/scenarios/scenarios-<series>.log)
#   -v        stream the console while it runs
#   -K KO     test this pfc.ko (built for KVER with pfc's exports unchanged,
#             e.g. a patched copy) instead of the one built here
#   -S SECS   also run Debian's stress-ng file-system stressors for SECS
#             seconds on each file system, with pfc_watch and pfc_guard
#             watching (the "stress-ng" scenario)
#   -N NAME   the suite's name in the RESULT line and the default log's
#             (default scenarios-<series>)
#
# Prints one line per scenario (PASS/FAIL/SKIP <fs>/<name>) and ends with
#   RESULT <NAME> passed=N failed=M skipped=K   (series: 6.12, 6.1)
# A task blocked for 30 s panics the guest (hung_task_panic=1; the guest
# lowers hung_task_timeout_secs), which prints its stack and ends the run:
# the scenario that was running is reported as cut off.
# Exit status 0 if nothing failed.  A boot that dies before the guest
# script starts (a known TCG -smp 2 early-boot flake) is retried once.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/scenarios
kver=""
churn=20000
fslist="tmpfs ext4 overlay fuse"
name=""
stress=0
cpus=2
log=""
verbose=()
only=""
alt_ko=""
loglevel=5

usage() { sed -n '/^# usage:/,/^# Prints/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while getopts "k:n:f:s:c:L:l:K:N:S:vh" opt; do
	case "$opt" in
	k) kver=$OPTARG ;;
	n) churn=$OPTARG ;;
	f) fslist=$OPTARG ;;
	s) only=$OPTARG ;;
	c) cpus=$OPTARG ;;
	L) loglevel=$OPTARG ;;
	l) log=$OPTARG ;;
	v) verbose=(-v) ;;
	K) alt_ko=$(realpath "$OPTARG") ;;
	N) name=$OPTARG ;;
	S) stress=$OPTARG ;;
	*) usage ;;
	esac
done

result() {
	echo "RESULT ${name:-scenarios-${series:-6.12}} passed=$1 failed=$2 skipped=$3"
}
fatal() {
	echo "run-scenarios: $*" >&2
	result 0 1 0
	exit 1
}

# Debian's kernel and its headers, unpacked into the cache (never
# installed on this machine).
series=$(echo "${kver:-6.12}" | cut -d. -f1,2)
stock=$("$root/tools/stock-kernel.sh" "${kver:-6.12}") ||
	fatal "no stock kernel ${kver:-6.12} (tools/stock-kernel.sh)"
kver=${stock%% *}
series=$(echo "$kver" | cut -d. -f1,2)
[ -n "$name" ] || name=scenarios-$series
[ -n "$log" ] || log=$out/$name.log
kernel=${stock#* }/boot/vmlinuz-$kver
kdir=${stock#* }/usr/src/linux-headers-$kver
mods=${stock#* }/lib/modules/$kver
[ -r "$kernel" ] || fatal "cannot read $kernel"

"$root/tools/deps.sh" vm >&2 || fatal "missing packages (tools/deps.sh vm)"
"$root/tools/deps.sh" module xz-utils >&2 || fatal "missing packages (tools/deps.sh module)"

mkdir -p "$out"
blog=$out/build.log
echo "run-scenarios: building for $kver (log $blog)" >&2
# The project's build first.  If something else under M= (a sample, the
# benchmark) does not build right now, build pfc.ko alone from a copy of
# the top directory (links to its Kbuild and sources, without samples/ and
# bench/), which is all the scenarios need.
ko=$root/pfc.ko symvers=$root/Module.symvers
if ! make -C "$root" KDIR="$kdir" module >"$blog" 2>&1; then
	echo "run-scenarios: note: the full module build failed (log $blog); building pfc.ko alone" >&2
	solo=$out/pfc-solo
	rm -rf "$solo"
	mkdir -p "$solo"
	ln -s "$root"/Kbuild "$root"/*.c "$root"/*.h "$solo/"
	make -C "$kdir" M="$solo" modules >>"$blog" 2>&1 ||
		{ tail -20 "$blog" >&2; fatal "build of pfc.ko failed"; }
	ko=$solo/pfc.ko symvers=$solo/Module.symvers
fi
{
	make -C "$kdir" M="$root/tools/scenarios/pfc_watch" \
		KBUILD_EXTRA_SYMBOLS="$symvers" modules &&
	gcc -static -O2 -Wall -Wextra -o "$out/pfct" "$root/tools/scenarios/pfct.c"
} >>"$blog" 2>&1 || { tail -20 "$blog" >&2; fatal "build failed"; }
fusefs=()
case " $fslist " in
*" fuse "*)
	"$root/tools/deps.sh" vm libfuse3-dev pkg-config >&2 ||
		fatal "missing packages (libfuse3-dev, pkg-config)"
	# shellcheck disable=SC2046
	gcc -static -O2 -Wall -Wextra $(pkg-config fuse3 --cflags) -o "$out/pfc_fusefs" \
		"$root/tools/scenarios/pfc_fusefs.c" $(pkg-config fuse3 --libs --static) \
		>>"$blog" 2>&1 || { tail -20 "$blog" >&2; fatal "build of pfc_fusefs failed"; }
	fusefs=(-f "$out/pfc_fusefs:/bin/pfc_fusefs")
	;;
esac

[ -z "$alt_ko" ] || { ko=$alt_ko; echo "run-scenarios: testing $ko" >&2; }

# The guest's files, under one directory that becomes /scn.
stage=$out/stage
rm -rf "$stage"
mkdir -p "$stage/mod"
cp "$ko" "$stage/"
cp "$root/tools/scenarios/pfc_watch/pfc_watch.ko" "$stage/"
cat >"$stage/conf" <<EOF
CHURN_N=$churn
CHURN_EVERY=10
FSLIST="$fslist"
ONLY='$only'
STRESS_SECS=$stress
EOF
guard_ko=$root/samples/pfc_guard/pfc_guard.ko
if [ "$ko" = "$root/pfc.ko" ] && [ -f "$guard_ko" ]; then
	cp "$guard_ko" "$stage/"
fi

# Debian's modules the guest loads with busybox insmod, decompressed here
# (busybox insmod has no xz support): $1 relative to lib/modules/KVER.
stage_mod() {
	local m=$1 name
	name=$(basename "$m" | sed 's/\.ko.*//')
	case "$m" in
	*.xz) xz -dc "$mods/$m" >"$stage/mod/$name.ko" ;;
	*.zst) zstd -qdc "$mods/$m" >"$stage/mod/$name.ko" ;;
	*.gz) gzip -dc "$mods/$m" >"$stage/mod/$name.ko" ;;
	*) cp "$mods/$m" "$stage/mod/$name.ko" ;;
	esac
}
# overlayfs and FUSE (a module on 6.1, built in on 6.12), for the overlay
# and FUSE scenarios; neither has dependencies.
for m in $(cd "$mods" && ls kernel/fs/overlayfs/overlay.ko* kernel/fs/fuse/fuse.ko* 2>/dev/null); do
	stage_mod "$m"
done

case " $fslist " in
*" ext4 "*)
	# ext4 and its dependencies from modules.dep, plus what the guest
	# cannot ask modprobe for: the crc32c driver and loop.  Decompressed
	# here, so busybox insmod needs no xz support.
	want=$(sed -n 's|^\(kernel/fs/ext4/ext4\.ko[^:]*\):\(.*\)|\1 \2|p' "$mods/modules.dep")
	want="$want $(cd "$mods" && ls kernel/crypto/crc32c_generic.ko* kernel/drivers/block/loop.ko* 2>/dev/null | tr '\n' ' ')"
	for m in $want; do
		stage_mod "$m"
	done
	# An image with a few seed files and room for the churn scenario's
	# files at once; inode tables written now, so the guest's ext4lazyinit
	# has nothing to do under TCG.
	seed=$out/ext4-seed
	rm -rf "$seed"
	mkdir -p "$seed/seed"
	echo "made by tools/run-scenarios.sh" >"$seed/README"
	echo data >"$seed/seed/file"
	inodes=$((churn + 4096))
	mke2fs -q -F -t ext4 -N "$inodes" -E lazy_itable_init=0,lazy_journal_init=0 \
		-d "$seed" "$stage/ext4.img" 96M >>"$blog" 2>&1 ||
		fatal "mke2fs -d failed (log $blog)"
	;;
esac

# xfs and btrfs: Debian's modules with what modules.dep says they need,
# in load order (dependencies first, as modprobe would), in
# mod/<fs>.order for the guest; the crc32c driver first, which libcrc32c
# asks for through request_module(), which the guest cannot answer.
# Empty images made here by Debian's mkfs.xfs and mkfs.btrfs.
mod_order=""
add_mod_order() {
	local m=$1 d
	case " $mod_order " in *" $m "*) return 0 ;; esac
	for d in $(sed -n "s|^$m:||p" "$mods/modules.dep" | tr ' ' '\n' | tac); do
		add_mod_order "$d"
	done
	mod_order="$mod_order $m"
}
blockfs_stage() {
	local fs=$1 m
	mod_order=""
	for m in $(cd "$mods" && ls kernel/crypto/crc32c_generic.ko* kernel/drivers/block/loop.ko* \
		   kernel/fs/$fs/$fs.ko* 2>/dev/null); do
		add_mod_order "$m"
	done
	: >"$stage/mod/$fs.order"
	for m in $mod_order; do
		stage_mod "$m"
		basename "$m" | sed 's/\.ko.*//' >>"$stage/mod/$fs.order"
	done
	grep -qx "$fs" "$stage/mod/$fs.order" || fatal "no $fs module in $mods"
}
for fs in $fslist; do
	case $fs in
	xfs)
		"$root/tools/deps.sh" vm xfsprogs >&2 || fatal "missing packages (xfsprogs)"
		blockfs_stage xfs
		# 128 MiB is below mkfs.xfs's supported minimum of 300 MiB,
		# which it lifts when it runs under fstests (these three
		# variables set); the kernel mounts it as any other, with room
		# for the churn scenario's inodes, and the initramfs stays small.
		truncate -s 0 "$stage/xfs.img" && truncate -s 128M "$stage/xfs.img"
		TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f "$stage/xfs.img" >>"$blog" 2>&1 ||
			fatal "mkfs.xfs failed (log $blog)"
		;;
	btrfs)
		"$root/tools/deps.sh" vm btrfs-progs >&2 || fatal "missing packages (btrfs-progs)"
		blockfs_stage btrfs
		truncate -s 0 "$stage/btrfs.img" && truncate -s 160M "$stage/btrfs.img"
		mkfs.btrfs -q -f "$stage/btrfs.img" >>"$blog" 2>&1 ||
			fatal "mkfs.btrfs failed (log $blog)"
		;;
	esac
done

# stress-ng and the shared libraries it links, at their paths.
extra=()
if [ "$stress" -gt 0 ]; then
	"$root/tools/deps.sh" vm stress-ng >&2 || fatal "missing packages (stress-ng)"
	sng=$(command -v stress-ng) || fatal "no stress-ng after installing it"
	extra+=(-f "$sng:/bin/stress-ng")
	for lib in $(ldd "$sng" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		extra+=(-f "$(realpath "$lib"):$lib")
	done
fi
boot=(-d "$stage:/scn" -f "$out/pfct:/bin/pfct" -c "$cpus" -t 900 -m 3G
	${extra[@]+"${extra[@]}"} ${fusefs[@]+"${fusefs[@]}"}
	-a "loglevel=$loglevel hung_task_panic=1" ${verbose[@]+"${verbose[@]}"})
echo "run-scenarios: booting $kernel under qemu (log $log)" >&2
for try in 1 2; do
	set +e
	"$root/tools/vm/boot.sh" "${boot[@]}" "$kernel" \
		"$root/tools/scenarios/guest.sh" "$log"
	rc=$?
	set -e
	[ "$rc" = 4 ] && [ "$try" = 1 ] && { echo "run-scenarios: boot failure, retrying once" >&2; continue; }
	break
done
[ "$rc" = 2 ] && fatal "boot.sh setup error"

# The guest's verdicts; a scenario that began but never ended was cut off
# by the VM dying (oops=panic) or by the time limit.
sed -n 's/.*PFC-SCN: \(PASS\|FAIL\|SKIP\|note\)/\1/p' "$log"
passed=$(grep -c 'PFC-SCN: PASS ' "$log" || true)
failed=$(grep -c 'PFC-SCN: FAIL ' "$log" || true)
skipped=$(grep -c 'PFC-SCN: SKIP ' "$log" || true)
last=$(sed -n 's/.*PFC-SCN: BEGIN //p' "$log" | tail -1)
if [ -n "$last" ] && ! grep -qE "PFC-SCN: (PASS|FAIL|SKIP) $last(:|\$)" "$log"; then
	echo "FAIL $last: cut off (boot.sh status $rc, see $log)"
	failed=$((failed + 1))
elif [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
	echo "FAIL vm: boot.sh status $rc (see $log)"
	failed=$((failed + 1))
fi
if [ -n "$only" ] && ! grep 'PFC-SCN: BEGIN ' "$log" | grep -qv 'BEGIN setup/'; then
	echo "FAIL vm: no scenario matched -s '$only' (see $log)"
	failed=$((failed + 1))
fi
if ! grep -q 'PFC-SCN: TALLY' "$log"; then
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && { echo "FAIL vm: guest script ended early (see $log)"; failed=$((failed + 1)); }
fi
# Belt and braces: the guest checks dmesg after each scenario, this checks
# the whole console, early boot and panics included; it counts as a failure
# of its own only when no scenario failed already.
if grep -qE 'WARNING:|BUG:|Call Trace|Kernel panic' "$log"; then
	if [ "$failed" = 0 ]; then
		echo "FAIL log: WARNING/BUG/Call Trace/panic in $log:"
		failed=1
	else
		echo "note: WARNING/BUG/Call Trace/panic in $log:"
	fi
	grep -nE 'WARNING:|BUG:|Call Trace|Kernel panic' "$log" | head -5
fi
result "$passed" "$failed" "$skipped"
[ "$failed" = 0 ]
