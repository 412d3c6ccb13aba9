# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What bench/run.sh (qemu) and bench/native.sh (User-Mode Linux) share:
# the build in a private copy of the tree, and the guest's settings.
# Sourced; uses $top (the tree) and $here (bench/), which the caller sets.
# shellcheck disable=SC2154

# bench_build BUILD LOG MAKE-ARGS...: pfc.ko and bench/pfc_bench.ko in a
# fresh copy at BUILD (the working tree is shared), built with
# `make MAKE-ARGS... M=BUILD modules`, and the static pfc_sysbench; the
# output goes to LOG.  Fails, with LOG on stderr, if anything does not
# build.
bench_build() {
	local build=$1 log=$2
	shift 2
	rm -rf "$build"
	mkdir -p "$build/bench"
	cp "$top"/Kbuild "$top"/*.c "$top"/*.h "$build/"
	cp "$here"/Kbuild "$here"/pfc_bench.c "$here"/pfc_unload.c "$here"/stretch_probe.h "$build/bench/"
	if ! make -s "$@" M="$build" modules >"$log" 2>&1 ||
		! gcc -static -O2 -Wall -o "$build/pfc_sysbench" "$here/sysbench.c" >>"$log" 2>&1; then
		cat "$log" >&2
		return 1
	fi
}

# bench_conf FILE SMOKE MAX_INODES MEM_NS: the settings bench/guest.sh
# reads, a few iterations of everything when SMOKE is 1.  MEM_NS: the
# inode counts of the memory and the rmmod stages.
bench_conf() {
	local file=$1 smoke=$2 maxi=$3 mem_ns=$4
	if [ "$smoke" = 1 ]; then
		cat >"$file" <<EOC
SYS_ITERS=200
SYS_CHURN_ITERS=50
SYS_RUNS=2
SYS_REPS=1
CTX_FILES=20
MEM_NS="1000"
MEM_REPS=1
UNLOAD_NS="1000"
UNLOAD_REPS=1
BENCH_PARAMS="iters=200 reps=1 max_inodes=1000 evict_n=8 scale_ms=30"
EOC
	else
		cat >"$file" <<EOC
SYS_ITERS=3000
SYS_CHURN_ITERS=500
SYS_RUNS=7
SYS_REPS=5
CTX_FILES=1000
MEM_NS="$mem_ns"
MEM_REPS=3
UNLOAD_NS="$mem_ns"
UNLOAD_REPS=2
BENCH_PARAMS="iters=100000 reps=7 max_inodes=$maxi evict_n=2000 scale_ms=500"
EOC
	fi
}
