#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script (busybox sh) for the load/unload variant of the race
# torture: loads pfc_hardening_consumer.ko and unloads it in a loop while
# pfc_hardening_kunit.ko, loaded with churn_dir=, hammers lookups on the
# same files from every CPU.  Other suites of the module skip in that mode.
#
# usage: churn.sh [MODDIR [SECONDS]]
#   MODDIR   where pfc.ko, pfc_hardening_kunit.ko and
#            pfc_hardening_consumer.ko are (default: /)
#   SECONDS  how long the lookups run (default 5)
# pfc.ko must not be loaded yet if MODDIR has it (it is loaded here, and
# unloaded at the end).  The KTAP of the churn suite goes to the kernel
# log; the script exits non-zero if the consumer reported a failure or a
# load/unload failed.
moddir=${1:-/}
secs=${2:-5}
dir=/tmp/pfc-churn
log=/tmp/pfc-churn.log
rc=0

mkdir -p "$dir" || exit 1
for i in 0 1 2 3 4 5 6 7; do
	: >"$dir/f$i"
done
loaded_pfc=0
if ! grep -q '^pfc ' /proc/modules; then
	insmod "$moddir/pfc.ko" || exit 1
	loaded_pfc=1
fi

(
	n=0 bad=0
	while [ ! -e "$dir/stop" ]; do
		insmod "$moddir/pfc_hardening_consumer.ko" dir="$dir" || bad=$((bad + 1))
		rmmod pfc_hardening_consumer || bad=$((bad + 1))
		n=$((n + 1))
	done
	echo "$n $bad" >"$log"
) &
loop=$!

insmod "$moddir/pfc_hardening_kunit.ko" churn_dir="$dir" churn_secs="$secs" || rc=1
touch "$dir/stop"
wait "$loop"
read -r loads bad <"$log"
echo "churn: $loads consumer load/unload cycles, $bad failed"
[ "$bad" = 0 ] || rc=1
[ "${loads:-0}" -gt 0 ] || rc=1
if dmesg | grep -q 'pfc_hardening_consumer: FAIL'; then
	echo "churn: the consumer saw a free callback after pfc_remove_owner()"
	rc=1
fi
rmmod pfc_hardening_kunit || rc=1
rm -rf "$dir"
if [ "$loaded_pfc" = 1 ]; then
	rmmod pfc || rc=1
fi
exit $rc
