#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks of bench/run.sh run natively (issue 14): the same
# pfc.ko, pfc_bench.ko, pfc_sysbench and bench/guest.sh, unchanged, in a
# User-Mode Linux kernel (tools/uml/build-uml.sh, Debian's 6.12 source,
# tools/kconfig/uml.config) booted by tools/uml/boot.sh instead of
# Debian's kernel under qemu TCG.  The kernel code runs on the host CPU as
# a host process, so absolute times are hardware times; prints the table
# of bench/report.py, with ratios to pfc from the same boot.  `make
# bench-native` runs it.
#
# usage: bench/native.sh [--smoke] [-n BOOTS] [-m MEM] [-o OUTDIR] [-s STAGES]
#
#   --smoke   a few iterations of everything: checks that it runs and gives
#             sane numbers; prints
#             "RESULT bench-native-smoke passed=N failed=M skipped=0"
#             and exits non-zero if anything failed (make check runs this)
#   -n BOOTS  boot this many times (default 1); with more than one, each
#             boot's table is in OUTDIR/boot-<i>/ and OUTDIR/table.txt has
#             the median over the boots of each row and of its ratio to pfc
#   -m MEM    UML memory (default 6G; 2G with --smoke)
#   -o DIR    where the logs, the parsed results and the table go
#             (default ${TMPDIR:-/tmp}/pfc-bench-native[-smoke])
#   -s STAGES only these of bench/guest.sh's stages (default all:
#             "syscall memory kernel nostats unload"); not with --smoke
#
# The full run is bench/run.sh --big's: lookups and memory up to 10^6
# inodes.  Caveats, also printed under the table: UML 6.12 is
# uniprocessor (no read-side scaling run; spinlocks cost next to nothing,
# which flatters the lock-based designs); this_cpu ops are dear (UML has
# no per-CPU instructions and brackets each with two signal-mask calls),
# and only pfc uses them, for its counters: the nostats stage runs the
# kernel benchmarks again with pfc built without them (PFC_NO_STATS); a
# guest system call is trapped by ptrace on the host, so pfc_sysbench's
# ns/op are mostly UML's own system-call cost and its ratios are diluted;
# the host schedules UML like any process, so a loaded host shows in the
# numbers.  UML's memory is a host file mapping whose pages fault on first
# touch, so the guest touches all of it once first (WARM=1 in bench.conf).
#
# environment: PFC_CACHE, PFC_JOBS (tools/uml/build-uml.sh), PFC_UML_TMPDIR
# (tools/uml/boot.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
smoke=0 boots=1 mem="" out="" stages=""
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	-n) boots=$2; shift ;;
	-m) mem=$2; shift ;;
	-o) out=$2; shift ;;
	-s) stages=$2; shift ;;
	*) sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done
case "$boots" in
'' | *[!0-9]* | 0) echo "bench-native: -n wants a positive number" >&2; exit 2 ;;
esac
if [ $smoke = 1 ]; then
	out=${out:-${TMPDIR:-/tmp}/pfc-bench-native-smoke} mem=${mem:-2G}
else
	out=${out:-${TMPDIR:-/tmp}/pfc-bench-native} mem=${mem:-6G}
fi
mkdir -p "$out"

smoke_result() {
	echo "RESULT bench-native-smoke passed=$1 failed=$2 skipped=0"
}
die() {
	echo "bench-native: $*" >&2
	[ $smoke = 1 ] && smoke_result 0 1
	exit 1
}

# --- the UML kernel, built once and cached -----------------------------------
kdir=$("$top/tools/uml/build-uml.sh") || die "no UML kernel (tools/uml/build-uml.sh failed)"
linux=$kdir/linux
cp "$kdir/.config" "$out/uml-kernel.config"

# --- build, in a private copy: the working tree is shared -------------------
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$out/build
bench_build "$build" "$out/build.log" ARCH=um -C "$kdir" ||
	die "module build against the UML kernel, or pfc_sysbench, failed"
# And pfc without its per-CPU counters, which UML makes dear (see
# PFC_NO_STATS in internal.h): the guest's nostats stage.
bench_build "$build-nostats" "$out/build-nostats.log" ARCH=um -C "$kdir" PFC_NO_STATS=1 ||
	die "the PFC_NO_STATS build against the UML kernel failed"
# The guest script too: every boot of this run uses the same one.
cp "$here/guest.sh" "$build/guest.sh"

# --- what the guest runs: bench/run.sh --big's settings -----------------------
bench_conf "$out/bench.conf" $smoke 1000000 "100000 1000000"
[ -n "$stages" ] && [ $smoke = 0 ] && echo "STAGES=\"$stages\"" >>"$out/bench.conf"
# Touch UML's memory once before anything is timed (bench/guest.sh).
echo "WARM=1" >>"$out/bench.conf"
limit=2400
[ $smoke = 1 ] && limit=300

# boot <dir>: one UML boot, its log in <dir>/console.log; prints its status.
boot_one() {
	local dir=$1 rc
	mkdir -p "$dir"
	boot() {
		# slab_nomerge: as bench/run.sh, own lines in /proc/slabinfo.
		"$top/tools/uml/boot.sh" -m "$mem" -t "$limit" -a slab_nomerge \
			-f "$build/pfc.ko:/pfc.ko" -f "$build/bench/pfc_bench.ko:/pfc_bench.ko" \
			-f "$build/bench/pfc_unload.ko:/pfc_unload.ko" \
			-f "$build-nostats/pfc.ko:/pfc-nostats.ko" \
			-f "$build-nostats/bench/pfc_bench.ko:/pfc_bench-nostats.ko" \
			-f "$build/pfc_sysbench:/pfc_sysbench" -f "$out/bench.conf:/bench.conf" \
			"$linux" "$build/guest.sh" "$dir/console.log"
	}
	set +e
	boot
	rc=$?
	if [ $rc = 4 ]; then
		echo "bench-native: boot failure, retrying once" >&2
		boot
		rc=$?
	fi
	set -e
	echo "$rc"
}

report() {
	local dir=$1 rc=$2
	local args=(--log "$dir/console.log" --out "$dir" --accel native-uml --vcpus 1 --boot-status "$rc")
	[ $smoke = 1 ] && args+=(--smoke --smoke-name bench-native-smoke)
	python3 "$here/report.py" "${args[@]}"
}

if [ "$boots" = 1 ]; then
	rc=$(boot_one "$out")
	report "$out" "$rc"
	exit
fi
dirs=()
status=0
for i in $(seq 1 "$boots"); do
	echo "bench-native: boot $i of $boots" >&2
	rc=$(boot_one "$out/boot-$i")
	report "$out/boot-$i" "$rc" >/dev/null || status=1
	dirs+=("$out/boot-$i")
done
python3 "$here/report.py" --combine "${dirs[@]}" --out "$out" --accel native-uml || status=1
exit "$status"
