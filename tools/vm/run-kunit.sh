#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run pfc's KUnit suites on the debug kernel under qemu, in one command:
#
#   1. build (once, cached) the KUnit/KASAN/lockdep/kmemleak kernel from
#      Debian's linux-source (tools/build-kernel.sh + tools/kconfig/debug.config,
#      or debug-<ver>.config where there is one, or PFC_KUNIT_CONFIG),
#   2. build pfc.ko and kunit/pfc_kunit.ko against it, in the source tree,
#   3. boot it with tools/vm/boot.sh (busybox initramfs, TCG, 2 vCPUs) and in
#      the guest: insmod pfc.ko, insmod pfc_kunit.ko (the suites run at load
#      and print KTAP), rmmod pfc_kunit, check that pfc's gauges in
#      /sys/kernel/debug/pfc/stats (inodes, contexts, callbacks_pending)
#      went back to 0, ask kmemleak, attach contexts through
#      /sys/kernel/debug/pfc/attach when pfc has it, rmmod pfc with them
#      still attached, ask kmemleak again,
#   4. parse the KTAP with the kernel tree's tools/testing/kunit/kunit.py,
#      scan the whole console for BUG/WARNING/KASAN/lockdep/RCU/kmemleak
#      reports, and print
#        RESULT kunit-<ver> passed=N failed=M skipped=K
#      (KUnit test cases as kunit.py counts them; a bad log scan, a crash or
#      a boot that fails twice adds one failure).  Exit status 0 only when
#      failed=0.
#
# usage: tools/vm/run-kunit.sh [6.12|6.1]        (default 6.12)
#
# environment:
#   PFC_KUNIT_MODULES="A.ko B.ko"  KUnit modules to load, one after the
#                      other, paths relative to PFC_SRC (default
#                      kunit/pfc_kunit.ko kunit/pfc_race_kunit.ko); e.g. a hardening runner:
#                      PFC_KUNIT_MODULES=kunit/hardening/pfc_hardening_kunit.ko
#                      PFC_KUNIT_NAME=hardening-6.12 tools/vm/run-kunit.sh
#   PFC_KUNIT_AFTER="S..."  guest scripts, each (path relative to PFC_SRC) run as
#                      `sh /after/S /after 5` once pfc is unloaded, with
#                      pfc.ko and PFC_KUNIT_AFTER_FILES="a.ko b.ko" (paths
#                      relative to PFC_SRC) in /after; it failing fails the run
#   PFC_KUNIT_NAME=N   the name in the RESULT line and the log's name
#                      (default kunit-<ver>)
#   PFC_KUNIT_CONFIG=F the kernel config fragment to build and boot instead
#                      of tools/kconfig/debug-<ver>.config or debug.config
#                      (a path relative to this repository, or absolute),
#                      e.g. tools/kconfig/kcsan-6.12.config
#   PFC_SRC=DIR        module source tree (default: this repository); must
#                      build pfc.ko and kunit/pfc_kunit.ko with
#                      `make -C <kernel> M=DIR modules`
#   PFC_OUT=DIR        where logs go (default: $PFC_SRC/out); the console log
#                      is $PFC_OUT/logs/kunit-<ver>.log, kunit.py's JSON next to it
#   PFC_VM_TIMEOUT=S   wall-clock limit of one boot (default 1200)
#   PFC_KUNIT_TIMEOUT=S  limit for loading one KUnit module, i.e. running its
#                      suites (default 720); insmod/rmmod of pfc get 120 s.
#                      Past it the guest prints the kernel stacks of the
#                      stuck task and of every D-state task, and gives up
#   PFC_KUNIT_FILTER=G only run suites/tests matching glob G (kunit.filter_glob)
#   PFC_KUNIT_MODARGS=A  module parameters for every KUnit module's insmod
#                      (one that does not know a parameter ignores it),
#                      e.g. "sweep_entries=1000000"
#   PFC_VM_MEM=SIZE    guest memory (default 2G)
#   PFC_VM_APPEND=ARGS more kernel command line
#   PFC_VM_VERBOSE=1   stream the console while it runs
#   PFC_KVM=1, PFC_TCG_THREAD, PFC_CACHE: see tools/vm/boot.sh
#
# A boot that dies before pfc.ko is loaded (e.g. the rare multi-threaded TCG
# int3 oops in sched_clock_cpu while the kernel patches its own text), or
# whose only kernel reports predate the first insmod, is a boot failure, not
# a test failure: it is retried once (with single-threaded TCG), the first
# log kept as *.boot1.log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ver=${1:-6.12}
name=${PFC_KUNIT_NAME:-kunit-$ver}
src=$(cd "${PFC_SRC:-$repo}" && pwd)
kmods=${PFC_KUNIT_MODULES:-kunit/pfc_kunit.ko kunit/pfc_race_kunit.ko}
out=${PFC_OUT:-$src/out}
logdir=$out/logs
log=$logdir/$name.log
limit=${PFC_VM_TIMEOUT:-1200}
kunit_secs=${PFC_KUNIT_TIMEOUT:-720}

say() { echo "run-kunit: $*" >&2; }
result() {	# passed failed skipped
	echo "RESULT $name passed=$1 failed=$2 skipped=$3"
	[ "$2" = 0 ]
	exit
}

mkdir -p "$logdir"

# --- 1. kernel --------------------------------------------------------------
frag=$repo/tools/kconfig/debug-$ver.config	# a version's own fragment, if any
[ -f "$frag" ] || frag=$repo/tools/kconfig/debug.config
case "${PFC_KUNIT_CONFIG:-}" in
'') ;;
/*) frag=$PFC_KUNIT_CONFIG ;;
*) frag=$repo/$PFC_KUNIT_CONFIG ;;
esac
[ -f "$frag" ] || { say "no kernel config fragment $frag"; result 0 1 0; }
if ! kb=$("$repo/tools/build-kernel.sh" "$ver" "$frag"); then
	say "debug kernel build failed"
	result 0 1 0
fi
kimg=$kb/arch/x86/boot/bzImage
ksrc=$(dirname "$kb")/linux-source-$ver
kunitpy=$ksrc/tools/testing/kunit/kunit.py
[ -f "$kunitpy" ] || { say "no $kunitpy"; result 0 1 0; }

# --- 2. modules -------------------------------------------------------------
rev=$(git -C "$src" describe --always --dirty 2>/dev/null || echo "not a git tree")
say "building modules in $src ($rev) against $kb"
if ! make -C "$kb" M="$src" -j"${PFC_JOBS:-$(nproc)}" modules >"$logdir/$name-build.log" 2>&1; then
	tail -30 "$logdir/$name-build.log" >&2
	say "module build failed; full log in $logdir/$name-build.log"
	result 0 1 0
fi
files=(-f "$src/pfc.ko:/pfc.ko")
names=""
[ -f "$src/pfc.ko" ] || { say "the build made no $src/pfc.ko"; result 0 1 0; }
for ko in $kmods; do
	[ -f "$src/$ko" ] || { say "the build made no $src/$ko"; result 0 1 0; }
	files+=(-f "$src/$ko:/kunit/$(basename "$ko")")
	names="$names $(basename "$ko" .ko)"
done

# An extra guest script run after pfc is unloaded, with the files it needs
# (and pfc.ko) in /after: e.g. the hardening suite's load/unload churn.
after=""
if [ -n "${PFC_KUNIT_AFTER:-}" ]; then
	files+=(-f "$src/pfc.ko:/after/pfc.ko")
	for a in $PFC_KUNIT_AFTER; do
		after="$after $(basename "$a")"
		files+=(-f "$src/$a:/after/$(basename "$a")")
	done
	for f in ${PFC_KUNIT_AFTER_FILES:-}; do
		[ -f "$src/$f" ] || { say "the build made no $src/$f"; result 0 1 0; }
		files+=(-f "$src/$f:/after/$(basename "$f")")
	done
fi

# --- 3. the guest -----------------------------------------------------------
guest=$(mktemp "${TMPDIR:-/tmp}/pfc-kunit-guest.XXXXXX")
ktap=$(mktemp "${TMPDIR:-/tmp}/pfc-kunit-ktap.XXXXXX")
trap 'rm -f "$guest" "$ktap" "${scanlog:-}"' EXIT
echo "kunit_mods='$names' kunit_secs=$kunit_secs after='$after' kunit_args='${PFC_KUNIT_MODARGS:-}'" >"$guest"
cat >>"$guest" <<'EOF'
# Runs in the guest (busybox sh).  Every line it prints starts with
# "pfc-kunit:" and never contains a word the host-side log scan looks for.
fail=0
note() { echo "pfc-kunit: $*"; }
bad() { echo "pfc-kunit: FAILED: $*"; fail=1; }
kml=/sys/kernel/debug/kmemleak
leakscan() {	# two scans: a report needs the object unreferenced and >5 s old
	[ -w $kml ] || return 0
	sleep 6; echo scan >$kml; sleep 1; echo scan >$kml
	r=$(cat $kml)	# debugfs files have size 0: [ -s ] does not work
	if [ -n "$r" ]; then
		note "kmemleak ($1):"; echo "$r"
	else
		note "kmemleak ($1): nothing"
	fi
	echo clear >$kml
}

# Shell builtins only: forks are slow under TCG.
uptime_s() { read -r u _ </proc/uptime; echo "${u%.*}"; }
# A task's state letter (R, S, D, Z, ...) from /proc/PID/stat.
pstate() {
	read -r l 2>/dev/null </proc/$1/stat || return 0
	l=${l##*) }; echo "${l%% *}"
}
# Kernel stacks of the watched task and of every task in D state.
stacks() {
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		st=$(pstate $p)
		[ "$p" = "$1" ] || [ "$st" = D ] || continue
		note "task $p ($(cat /proc/$p/comm 2>/dev/null)) state $st, kernel stack:"
		cat /proc/$p/stack 2>/dev/null
	done
}
# watch SECS CMD...: run CMD; if it is still running after SECS, print the
# kernel stacks that show where it (or whatever it waits for) is stuck and
# end the run: the guest reboots instead of sitting until the host's limit.
# (CONFIG_MAGIC_SYSRQ and the hung-task detector are off in debug.config.)
watch() {
	secs=$1; shift
	"$@" &
	pid=$!
	end=$(($(uptime_s) + secs))
	while [ -d /proc/$pid ] && [ "$(pstate $pid)" != Z ]; do
		if [ "$(uptime_s)" -ge $end ]; then
			bad "'$*' still running after ${secs}s"
			stacks $pid
			vm-mark hung
			exit 1
		fi
		sleep 0.5
	done
	wait $pid
}

# pfc_hardening_failslab drives failslab through fail_nth; it needs these.
fs=/sys/kernel/debug/failslab
[ -w $fs/ignore-gfp-wait ] && echo N >$fs/ignore-gfp-wait
[ -w $fs/verbose ] && echo 0 >$fs/verbose

if [ -w $kml ]; then
	# No automatic scans in the middle of the tests; forget what the
	# kernel itself leaked while booting.
	echo scan=off >$kml
	echo scan >$kml; echo clear >$kml
else
	note "no $kml (kmemleak off?): leak checks skipped"
fi

vm-mark insmod-pfc
if ! watch 120 insmod /pfc.ko; then
	bad "insmod pfc.ko"
	exit 1
fi
for m in $kunit_mods; do
	vm-mark "kunit-start $m"
	# shellcheck disable=SC2086
	watch $kunit_secs insmod /kunit/$m.ko $kunit_args || bad "insmod $m.ko"
	vm-mark "kunit-end $m"
	# Load addresses, to read kmemleak backtraces taken after the unload.
	note "loaded: $(grep pfc /proc/modules | tr '\n' ';')"
	watch 120 rmmod $m || bad "rmmod $m"
done

# Every test module is gone: nothing of theirs may stay attached or queued.
st=/sys/kernel/debug/pfc/stats
if [ -r $st ]; then
	i=0
	while [ $i -lt 20 ]; do
		busy=$(grep -E '^(inodes|contexts|callbacks_pending) ' $st | grep -v ' 0$')
		[ -z "$busy" ] && break
		sleep 0.5; i=$((i + 1))
	done
	note "pfc stats after the suites: $(tr '\n' ' ' <$st)"
	[ -z "$busy" ] || bad "pfc gauges not back to 0 after the test modules left: $busy"
fi
leakscan "after the KUnit suites, pfc still loaded"

att=/sys/kernel/debug/pfc/attach
if [ -e $att ]; then
	# Unload pfc with contexts attached (owned by pfc itself): on a file
	# kept open, on closed files still in the inode cache, and on one
	# whose inode is evicted before the unload.
	vm-mark attach
	d=/tmp/pfc-attach
	mkdir -p $d
	for f in open cached1 cached2 evicted; do
		echo "$f" >$d/$f
		printf '%s' "$d/$f" >$att || bad "attach $d/$f"
	done
	exec 3<$d/open
	rm $d/evicted
	echo 2 >/proc/sys/vm/drop_caches
else
	note "no $att: unload-with-contexts step skipped"
fi
vm-mark rmmod-pfc
watch 120 rmmod pfc || bad "rmmod pfc"
if [ -e $att ] || [ -d /tmp/pfc-attach ]; then
	# The files outlive pfc; evicting them now must not call into it.
	exec 3<&-
	rm -rf /tmp/pfc-attach
	echo 3 >/proc/sys/vm/drop_caches
fi
for a in $after; do
	vm-mark "after $a"
	sh /after/$a /after 5 || bad "$a"
done
vm-mark kmemleak
leakscan "after rmmod pfc"
vm-mark end
note "END status=$fail"
exit $fail
EOF

# RCU's stall detector is the only timing-based one in debug.config; under
# TCG on a busy host a vCPU can be off the CPU for 21 s (its default) with
# nothing wrong.  60 s still catches a real stall.
append=" kmemleak=on rcupdate.rcu_cpu_stall_timeout=60"
[ -n "${PFC_KUNIT_FILTER:-}" ] && append="$append kunit.filter_glob=$PFC_KUNIT_FILTER"
[ -n "${PFC_VM_APPEND:-}" ] && append="$append $PFC_VM_APPEND"

# Offending kernel reports.  Anything here fails the run, except the few
# reports that tools/vm/logscan.awk names as the kernel's own.
scan_re='BUG:|Busy inodes after unmount|WARNING:|KASAN|UBSAN|ODEBUG|Oops|Kernel panic|Call Trace|RIP:|general protection fault|kernel BUG at|Unable to handle|unreferenced object|suspected memory leak|possible circular locking|inconsistent lock state|suspicious RCU usage|possible recursive locking|possible irq lock inversion|bad unlock balance|held lock freed|lock held when returning|DEBUG_LOCKS_WARN_ON|INFO: trying to register non-static key|list_add corruption|list_del corruption|refcount_t:|blocked for more than|detected stall|soft lockup|hard LOCKUP|segfault at'

boot_once() {	# logfile -> sets boot_rc
	say "booting $kimg (log $1)"
	local t0=$(date +%s)
	"$here/boot.sh" -t "$limit" -m "${PFC_VM_MEM:-2G}" -a "$append" "${files[@]}" \
		"$kimg" "$guest" "$1"
	boot_rc=$?
	say "guest done in $(( $(date +%s) - t0 ))s (boot.sh status $boot_rc)"
}

# Line number of the first "stage=insmod-pfc" marker, 0 if none.
insmod_line() { grep -n 'PFC-VM: stage=insmod-pfc$' "$1" | head -1 | cut -d: -f1 | grep . || echo 0; }

is_boot_failure() {	# logfile: the kernel never got as far as loading pfc
	[ "$boot_rc" = 4 ] && return 0
	local l=$(insmod_line "$1")
	[ "$l" = 0 ] && return 0
	# Kernel reports before the first insmod and none after it.
	local first=$(grep -n -E "$scan_re" "$1" | head -1 | cut -d: -f1)
	[ -n "$first" ] && [ "$first" -lt "$l" ] &&
		! tail -n +"$l" "$1" | grep -q -E "$scan_re"
}

boot_once "$log"
bootfail=0
if is_boot_failure "$log"; then
	mv "$log" "$logdir/$name.boot1.log"
	# The known early-boot flake is multi-threaded TCG racing the kernel's
	# own text patching; single-threaded TCG (both vCPUs on one host
	# thread, slower) does not have it.
	if [ "${PFC_KVM:-0}" != 1 ] && [ -z "${PFC_TCG_THREAD:-}" ]; then
		say "boot failure (the guest never loaded pfc); retrying once with single-threaded TCG"
		PFC_TCG_THREAD=single boot_once "$log"
	else
		say "boot failure (the guest never loaded pfc); retrying once"
		boot_once "$log"
	fi
	if is_boot_failure "$log"; then
		say "boot failed twice; logs $logdir/$name.boot1.log and $log"
		bootfail=1
	fi
fi

# --- 4. verdict -------------------------------------------------------------
failed_extra=0

# KTAP: what the console printed while each KUnit module was being loaded,
# one kunit.py parse per module (each load prints its own KTAP document).
passed=0 failed=0 skipped=0
count() { echo "$summary" | grep -o "$1: [0-9]*" | grep -o '[0-9]*$' || echo 0; }
for m in $names; do
	sed -n "/PFC-VM: stage=kunit-start $m\$/,/PFC-VM: stage=kunit-end $m\$/p" "$log" >"$ktap"
	echo "---- kunit.py parse: $m ----"
	# 6.1 prints no top-level KTAP header for the suites of a module
	# (lib/kunit/test.c:kunit_module_init()): add the one kunit.py needs.
	if ! grep -qE '^(\[[ 0-9.]+\] )?KTAP version' "$ktap"; then
		pre=$(grep -m1 -oE '^\[[ 0-9.]+\] ' "$ktap" || true)
		n=$(grep -cE '^\[[ 0-9.]+\] (not )?ok [0-9]+ ' "$ktap" || true)
		{ printf '%sKTAP version 1\n%s1..%s\n' "$pre" "$pre" "$n"; cat "$ktap"; } >"$ktap.h"
		mv "$ktap.h" "$ktap"
	fi
	parse_out=$(python3 "$kunitpy" parse --json="$logdir/$name-$m.json" "$ktap" 2>&1)
	echo "$parse_out"
	summary=$(echo "$parse_out" | sed 's/\x1b\[[0-9;]*m//g' | grep 'Testing complete' | tail -1)
	p=$(count passed) k=$(count skipped)
	f=$(( $(count failed) + $(count crashed) + $(count errors) ))
	if [ -z "$summary" ] || [ $((p + f + k)) = 0 ]; then
		say "no KUnit results from $m in the log"
		f=$((f + 1))
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
done

echo "---- log scan ----"
# What the scan skips, and why: tools/vm/logscan.awk.
scanlog=$(mktemp "${TMPDIR:-/tmp}/pfc-kunit-scan.XXXXXX")
awk -f "$repo/tools/vm/logscan.awk" "$log" >"$scanlog"
hits=$(grep -n -E "$scan_re" "$scanlog" | grep -v 'pfc-kunit:')
if [ -n "$hits" ]; then
	echo "kernel reports in $log:"
	echo "$hits" | head -60
	first=$(echo "$hits" | head -1 | cut -d: -f1)
	echo "---- first report in context ----"
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$scanlog"
	failed_extra=1
else
	echo "no kernel reports"
fi
grep 'pfc-kunit: FAILED' "$log" && failed_extra=1
if ! grep -q 'PFC-VM: stage=end$' "$log"; then
	echo "the guest never reached its end marker (boot.sh status $boot_rc)"
	tail -30 "$log"
	failed_extra=1
fi
[ "$bootfail" = 1 ] && failed_extra=1
echo "console log: $log"
result "$passed" "$((failed + failed_extra))" "$skipped"
