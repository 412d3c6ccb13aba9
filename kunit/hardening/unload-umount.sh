#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script (busybox sh), run after pfc is unloaded: module exit racing
# umount, and the bound on debugfs writes.
#
# 1. pfc (a test build) is loaded with race_delay_point=PFC_RACE_UNLOAD_MARK
#    so that its exit sleeps while it holds a reference on the first mark
#    it destroys; a tmpfs whose 2000 files carry contexts is unmounted in
#    that time.  Unloading once took inode references (igrab()), which
#    made umount print "VFS: Busy inodes after unmount" and pfc's later
#    iput() a use-after-free; the host's log scan fails the run on either.
# 2. An 8 MiB write to /sys/kernel/debug/pfc/attach is refused with an
#    error instead of reaching the page allocator's WARN_ON_ONCE().
#
# usage: unload-umount.sh [MODDIR]   (MODDIR holds pfc.ko; default /)
moddir=${1:-/}
att=/sys/kernel/debug/pfc/attach
unload_mark=4	# PFC_RACE_UNLOAD_MARK in pfc_race.h
fail=0
note() { echo "pfc-unload-umount: $*"; }
bad() { echo "pfc-unload-umount: FAILED: $*"; fail=1; }

for delay in 300 1500; do
	insmod "$moddir/pfc.ko" race_delay_point=$unload_mark \
		race_delay_ms=$delay || { bad "insmod pfc.ko"; exit 1; }
	mkdir -p /mnt/t
	mount -t tmpfs none /mnt/t || { bad "mount"; exit 1; }
	i=0
	while [ $i -lt 2000 ]; do
		: >/mnt/t/f$i
		printf '%s' /mnt/t/f$i >$att || { bad "attach f$i"; break; }
		i=$((i + 1))
	done
	note "delay ${delay} ms: $(grep -E '^(inodes|contexts) ' \
		/sys/kernel/debug/pfc/stats | tr '\n' ' ')"
	rmmod pfc &
	pid=$!
	sleep 0.2
	umount /mnt/t || bad "umount while pfc unloads"
	wait $pid || bad "rmmod pfc"
	grep -q '^pfc ' /proc/modules && bad "pfc still loaded"
done

insmod "$moddir/pfc.ko" || { bad "insmod pfc.ko"; exit 1; }
if dd if=/dev/zero of=$att bs=8M count=1 2>/dev/null; then
	bad "an 8 MiB write to $att succeeded"
else
	note "an 8 MiB write to $att was refused"
fi
rmmod pfc || bad "rmmod pfc"
note "status=$fail"
exit $fail
