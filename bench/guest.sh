#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of bench/run.sh (busybox sh, run by tools/vm/boot.sh).
# Reads /bench.conf, prints parseable lines on the console:
#   PFCE ...  environment
#   PFCS ...  syscall level (pfc_sysbench), states unloaded/loaded/contexts
#   PFCM ...  slab and meminfo deltas of attaching one context to N inodes
#   PFCB ...  the in-kernel benchmarks (pfc_bench.ko, and pfc_unload.ko for
#             rmmod pfc, through the kernel log)
. /bench.conf

fail=0
# STAGES (bench.conf, optional): which of the stages below to run.
want() {
	case " ${STAGES:-syscall memory kernel nostats unload} " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}
pfc_dbg=/sys/kernel/debug/pfc
cmd=/sys/kernel/debug/pfc_bench/cmd

echo "PFCE kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)" \
	"mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)" \
	"cmdline=$(tr ' ' ',' </proc/cmdline)"

# --- warm-up (WARM=1, bench/native.sh) -------------------------------------
# UML's memory is a mapping of a host file: the first touch of each of its
# pages is a host page fault, which a kernel on hardware never takes for
# its own memory.  Whichever design allocated fresh pages first paid for
# it.  Fill a tmpfs with most of the free memory once and free it again:
# pages stay mapped on the host once touched.
if [ "${WARM:-0}" = 1 ]; then
	vm-mark warm
	free_kb=$(sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo)
	mb=$((free_kb * 9 / 10 / 1024))
	mkdir -p /warm
	if mount -t tmpfs -o size=${mb}m warm /warm; then
		dd if=/dev/zero of=/warm/fill bs=1M count=$mb 2>/dev/null
		rm -f /warm/fill
		umount /warm
		echo "PFCE warm_mb=$mb"
	else
		echo "PFCE note=no-warm-up"
	fi
fi

# --- syscall level ---------------------------------------------------------
if want syscall; then
	vm-mark syscall
	dd if=/dev/zero of=/tmp/target bs=4096 count=1 2>/dev/null
	mkdir -p /tmp/churn /tmp/others
	sysb() {
		/pfc_sysbench openread /tmp/target "$SYS_ITERS" "$1" "$SYS_RUNS" || fail=1
		/pfc_sysbench churn /tmp/churn "$SYS_CHURN_ITERS" "$1" "$SYS_RUNS" || fail=1
	}
	r=0
	while [ "$r" -lt "$SYS_REPS" ]; do
		sysb unloaded
		insmod /pfc.ko || { echo "PFCE error=insmod-pfc"; exit 1; }
		sysb loaded
		# A consumer's open hook on this file system, without and with a
		# close callback, and no file with a per-open context.
		if insmod /pfc_bench.ko $BENCH_PARAMS; then
			for how in open close; do
				if echo "hook $how /tmp" >$cmd; then
					sysb ${how}hook
					echo unhook >$cmd || fail=1
				else
					echo "PFCE note=no-open-hook"
				fi
			done
			rmmod pfc_bench || fail=1
		else
			fail=1
		fi
		# Other files on the same tmpfs carry contexts: fsnotify's slow path.
		i=0
		while [ "$i" -lt "$CTX_FILES" ]; do
			: >/tmp/others/f$i
			echo /tmp/others/f$i >$pfc_dbg/attach || fail=1
			i=$((i + 1))
		done
		sysb contexts
		# Unlinked, the files' contexts go with their inodes before rmmod.
		rm -f /tmp/others/*
		rmmod pfc || fail=1
		r=$((r + 1))
	done
fi

# --- memory ------------------------------------------------------------------
if want memory; then
	vm-mark memory
	insmod /pfc.ko || { echo "PFCE error=insmod-pfc"; exit 1; }
	insmod /pfc_bench.ko $BENCH_PARAMS || { echo "PFCE error=insmod-bench"; exit 1; }
	snap() {
		cat /proc/slabinfo >/tmp/slab.$1
		grep -E '^(MemFree|Slab|VmallocUsed|Percpu):' /proc/meminfo >/tmp/mem.$1
	}
	for n in $MEM_NS; do
	    r=0
	    while [ "$r" -lt "$MEM_REPS" ]; do
		r=$((r + 1))
		echo "mem_setup $n" >$cmd || { fail=1; continue; }
		sleep 1
		snap 0
		echo mem_attach >$cmd || fail=1
		sleep 1
		snap 1
		# Caches whose memory changed: objects and slab pages (bytes).
		awk -v n="$n" -v r="$r" '
			FNR == NR && !/^#/ && NR > 1 {
				o[$1] = $2; b[$1] = $15 * $6 * 4096; next
			}
			FNR > 2 && !/^#/ {
				do_ = $2 - o[$1]; db = $15 * $6 * 4096 - b[$1]
				if (do_ != 0 || db != 0)
					printf "PFCM n=%d rep=%d cache=%s objsize=%d dobjs=%d dbytes=%d\n",
						n, r, $1, $4, do_, db
			}' /tmp/slab.0 /tmp/slab.1
		awk -v n="$n" -v r="$r" '
			FNR == NR { v[$1] = $2; next }
			{ printf "PFCM n=%d rep=%d meminfo=%s dkb=%d\n", n, r, $1, $2 - v[$1] }
		' /tmp/mem.0 /tmp/mem.1
		echo mem_free >$cmd || fail=1
	    done
	done
	rmmod pfc_bench || fail=1
	rmmod pfc || fail=1
fi

# --- in-kernel benchmarks ----------------------------------------------------
if want kernel; then
	vm-mark kernel
	insmod /pfc.ko || { echo "PFCE error=insmod-pfc"; exit 1; }
	insmod /pfc_bench.ko $BENCH_PARAMS || { echo "PFCE error=insmod-bench"; exit 1; }
	echo "run all" >$cmd || fail=1
	rmmod pfc_bench || fail=1
	rmmod pfc || fail=1
fi

# --- the same kernel benchmarks, pfc without its counters -------------------
# Where a pfc built with PFC_NO_STATS is in the root (bench/native.sh):
# its rows are "pfc-nostats", beside pfc's from the stage above.
if want nostats && [ -f /pfc-nostats.ko ]; then
	vm-mark nostats
	insmod /pfc-nostats.ko || { echo "PFCE error=insmod-pfc-nostats"; exit 1; }
	insmod /pfc_bench-nostats.ko $BENCH_PARAMS pfc_label=pfc-nostats ||
		{ echo "PFCE error=insmod-bench-nostats"; exit 1; }
	for what in hit ops inodes; do
		echo "run $what" >$cmd || fail=1
	done
	rmmod pfc_bench || fail=1
	rmmod pfc || fail=1
fi

# --- rmmod pfc with N contexts left ------------------------------------------
# Each of N files of a fresh tmpfs gets a context of pfc's own (debugfs
# attach: a consumer's would be swept when the consumer unloads, and it
# would keep pfc loaded), then pfc_unload.ko times `rmmod pfc` and watches
# every CPU for the longest stretch without rescheduling.  N = 0 is the
# baseline: rmmod's exec and pfc's exit with nothing attached.
if want unload; then
	vm-mark unload
	ucmd=/sys/kernel/debug/pfc_unload/cmd
	if insmod /pfc_unload.ko; then
		mkdir -p /tmp/unload
		for n in 0 $UNLOAD_NS; do
			r=0
			while [ "$r" -lt "$UNLOAD_REPS" ]; do
				# nr_inodes=0: no inode limit (10^6 files).
				mount -t tmpfs -o nr_inodes=0 unload /tmp/unload || { fail=1; break; }
				echo "mkfiles /tmp/unload $n" >$ucmd || fail=1
				insmod /pfc.ko || { echo "PFCE error=insmod-pfc"; exit 1; }
				i=0
				while [ "$i" -lt "$n" ]; do
					echo /tmp/unload/f$i
					i=$((i + 1))
				done >$pfc_dbg/attach
				got=$(sed -n 's/^contexts //p' $pfc_dbg/stats)
				if [ "$got" != "$n" ]; then
					echo "PFCE error=unload-attach want=$n got=$got"
					fail=1
				fi
				echo "start $n $r" >$ucmd || fail=1
				rmmod pfc || fail=1
				echo stop >$ucmd || fail=1
				umount /tmp/unload || fail=1
				r=$((r + 1))
			done
		done
		rmmod pfc_unload || fail=1
	else
		fail=1
	fi
fi
vm-mark done
exit $fail
