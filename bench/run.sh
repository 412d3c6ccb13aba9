#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks of pfc against the designs a kernel developer would otherwise
# use (issue 5): builds pfc.ko + bench/pfc_bench.ko against Debian's stock
# headers and the static bench/pfc_sysbench, boots Debian's stock kernel
# under qemu (tools/vm/boot.sh), runs bench/guest.sh in it and prints a
# table (bench/report.py).  `make bench` runs it.
#
# usage: bench/run.sh [--smoke] [-c CPUS] [-m MEM] [-o OUTDIR] [--big]
#
#   --smoke   a few iterations of everything: checks that it runs and gives
#             sane numbers; prints "RESULT bench-smoke passed=N failed=M skipped=0"
#             and exits non-zero if anything failed (make check runs this)
#   -c CPUS   vCPUs (default 2: under TCG on a 2-core host, more vCPUs are
#             not real parallelism)
#   -m MEM    guest memory (default 4G; 6G with --big, 2G with --smoke)
#   -o DIR    where the log, the parsed results and the table go
#             (default ${TMPDIR:-/tmp}/pfc-bench[-smoke])
#   --big     also 10^6 inodes (lookup sweep and memory)
#
# environment: PFC_KERNEL (a vmlinuz-<KVER>; default Debian's newest 6.12,
# unpacked into the cache by tools/stock-kernel.sh, not installed),
# KDIR (default Debian's linux-headers for that kernel), PFC_KVM=1 (KVM
# instead of TCG, where KVM works), and boot.sh's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
smoke=0 cpus=2 mem="" out="" big=0
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	--big) big=1 ;;
	-c) cpus=$2; shift ;;
	-m) mem=$2; shift ;;
	-o) out=$2; shift ;;
	*) sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done

if [ -n "${PFC_KERNEL:-}" ]; then
	kernel=$PFC_KERNEL
	kver=$(basename "$kernel" | sed 's/^vmlinuz-//')
	kdir=${KDIR:-/usr/src/linux-headers-$kver}
else
	stock=$("$top/tools/stock-kernel.sh" 6.12) || stock=""
	kver=${stock%% *}
	kernel=${stock#* }/boot/vmlinuz-$kver
	kdir=${KDIR:-${stock#* }/usr/src/linux-headers-$kver}
fi
if [ $smoke = 1 ]; then
	out=${out:-${TMPDIR:-/tmp}/pfc-bench-smoke} mem=${mem:-2G}
else
	out=${out:-${TMPDIR:-/tmp}/pfc-bench}
	[ $big = 1 ] && mem=${mem:-6G}
	mem=${mem:-4G}
fi
mkdir -p "$out"

smoke_result() {
	echo "RESULT bench-smoke passed=$1 failed=$2 skipped=0"
}
die() {
	echo "bench: $*" >&2
	[ $smoke = 1 ] && smoke_result 0 1
	exit 1
}

[ -f "$kernel" ] || die "no kernel ${kernel:-} (tools/stock-kernel.sh 6.12)"
[ -d "$kdir" ] || die "no headers $kdir"

# --- build, in a private copy: the working tree is shared -----------------
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$out/build
bench_build "$build" "$out/build.log" -C "$kdir" || die "module or pfc_sysbench build failed"

# --- what the guest runs ----------------------------------------------------
maxi=100000 mem_ns="100000"
[ $big = 1 ] && maxi=1000000 mem_ns="100000 1000000"
bench_conf "$out/bench.conf" $smoke $maxi "$mem_ns"
limit=3000
[ $smoke = 1 ] && limit=600

accel=TCG
[ "${PFC_KVM:-0}" = 1 ] && accel=KVM
log=$out/console.log
boot() {
	# slab_nomerge: pfc_entry and fsnotify_mark_connector get their own
	# lines in /proc/slabinfo instead of hiding in a merged cache.
	"$top/tools/vm/boot.sh" -c "$cpus" -m "$mem" -t "$limit" -a slab_nomerge \
		-f "$build/pfc.ko:/pfc.ko" -f "$build/bench/pfc_bench.ko:/pfc_bench.ko" \
		-f "$build/bench/pfc_unload.ko:/pfc_unload.ko" \
		-f "$build/pfc_sysbench:/pfc_sysbench" -f "$out/bench.conf:/bench.conf" \
		"$kernel" "$here/guest.sh" "$log"
}
set +e
boot
rc=$?
if [ $rc = 4 ]; then
	echo "bench: boot failure, retrying once" >&2
	boot
	rc=$?
fi
set -e

args=(--log "$log" --out "$out" --accel "$accel" --vcpus "$cpus" --boot-status "$rc")
[ $smoke = 1 ] && args+=(--smoke)
python3 "$here/report.py" "${args[@]}"
