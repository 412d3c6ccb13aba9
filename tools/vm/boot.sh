#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under qemu with a busybox initramfs, run one guest script
# in it, power the guest off and say how far it got.  The building block of
# every VM test runner in tools/vm/ (run-kunit.sh is one); it knows nothing
# about pfc.
#
# usage: tools/vm/boot.sh [options] <kernel-image> <guest-script> <log-file>
#
#   <kernel-image>  a bzImage (a debug build's arch/x86/boot/bzImage, or a
#                   distribution's /boot/vmlinuz-*)
#   <guest-script>  a /bin/sh (busybox ash) script, run as root in the guest
#                   as /guest.sh with cwd /, PATH=/bin:/sbin and, already
#                   mounted: /proc, /sys, /dev (devtmpfs), /sys/kernel/debug,
#                   /tmp and /run (tmpfs).  Its stdout and stderr go to the
#                   console.  It may call `vm-mark <word>` to print
#                   "PFC-VM: stage=<word>" through /dev/kmsg, so that the
#                   marker sits in order with kernel messages in the log.
#   <log-file>      receives the whole console (kernel and guest), with
#                   carriage returns stripped; overwritten.
#
# options:
#   -f HOST[:GUEST]  put file HOST into the initramfs at GUEST (default
#                    /<basename HOST>); repeatable
#   -d HOST:GUEST    put directory tree HOST into the initramfs at GUEST
#                    (e.g. -d /lib/modules/$v:/lib/modules/$v); repeatable
#   -a ARGS          append ARGS to the kernel command line
#   -m MEM           guest memory (default 2G)
#   -c CPUS          vCPUs (default 2)
#   -t SECONDS       wall-clock limit for the whole boot (default 600)
#   -v               also stream the console to stderr while it runs
#
# environment:
#   PFC_KVM=1          use KVM (-accel kvm -cpu host) instead of TCG
#   PFC_TCG_THREAD     multi (default with -c > 1) or single: TCG threading
#   PFC_VM_VERBOSE=1   same as -v
#   PFC_CACHE          cache directory (default ${XDG_CACHE_HOME:-~/.cache}/pfc);
#                      the busybox part of the initramfs is cached there
#   QEMU               qemu binary (default qemu-system-x86_64)
#
# The kernel command line always has console=ttyS0 printk.time=1 panic=-1
# oops=panic printk.devkmsg=on: an oops or panic ends the VM at once (qemu runs with
# -no-reboot) instead of hanging until the time limit; WARNs do not stop
# it, callers scan the log for them.
#
# exit status:
#   0  the guest script ran and exited 0
#   1  the guest script ran and exited non-zero ("PFC-VM: guest-exit=N" in
#      the log has its status)
#   2  usage or host-side setup error (nothing was booted)
#   3  the guest script started but the VM ended before it finished
#      (panic, oops, triple fault) -- a test failure
#   4  boot failure: the VM ended before the guest script started (early
#      oops, panic, bad kernel); callers may retry once
#   5  time limit hit after the guest script started
# A one-line summary "boot: ..." goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${PFC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfc}
qemu=${QEMU:-qemu-system-x86_64}
mem=2G
cpus=2
limit=600
append=""
verbose=${PFC_VM_VERBOSE:-0}
files=()
dirs=()

usage() { sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "boot: $*" >&2; exit 2; }

while getopts "f:d:a:m:c:t:vh" opt; do
	case "$opt" in
	f) files+=("$OPTARG") ;;
	d) dirs+=("$OPTARG") ;;
	a) append="$append $OPTARG" ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	t) limit=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 3 ] || usage
kernel=$1 script=$2 log=$3
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$script" ] || die "no guest script $script"

"$here/../deps.sh" vm >&2 || die "missing packages (tools/deps.sh vm)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	busybox=/bin/busybox
[ -x "$busybox" ] || die "no static busybox (apt-get install busybox-static)"

work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- the initramfs: a cached busybox base plus a per-boot overlay ----------
# The kernel unpacks concatenated, separately compressed cpio archives in
# order, so the base never needs rebuilding when the payload changes.
init_script() {
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
export PATH=/bin:/sbin HOME=/root
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
[ -e /dev/console ] && exec </dev/console >/dev/console 2>&1
vm-mark guest-start
cd /
sh /guest.sh
rc=$?
# The script's last lines may still sit in the console tty's transmit
# buffer, while the marker below goes out through printk at once: give the
# serial port time to drain, or reboot -f drops them (a RESULT line lost
# this way failed a guard run whose guest had passed).
sleep 1
echo "PFC-VM: guest-exit=$rc" >/dev/kmsg
sync
# qemu runs with -no-reboot, so a reboot ends it; power-off needs ACPI
# wiring that a small kernel under qboot may not have.
reboot -f
echo b >/proc/sysrq-trigger
EOF
}
mark_script() {
	cat <<'EOF'
#!/bin/sh
# vm-mark <word>: a stage marker in the kernel log, ordered with printk output
echo "PFC-VM: stage=$*" >/dev/kmsg 2>/dev/null || echo "PFC-VM: stage=$*"
EOF
}

key=$( { sha256sum "$busybox"; init_script; mark_script; } | sha256sum | cut -c1-12)
base=$cache/initramfs/base-$key.cpio.gz
if [ ! -f "$base" ]; then
	mkdir -p "$cache/initramfs"
	r=$work/base
	mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,run,root,etc,lib/modules}
	cp "$busybox" "$r/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	init_script >"$r/init"
	mark_script >"$r/bin/vm-mark"
	chmod 755 "$r/init" "$r/bin/vm-mark"
	(cd "$r" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
		gzip -1 >"$base.tmp.$$"
	mv "$base.tmp.$$" "$base"
fi

o=$work/overlay
mkdir -p "$o"
install -m 755 "$script" "$o/guest.sh"
for f in ${files[@]+"${files[@]}"}; do
	src=${f%%:*}
	dst=${f#*:}
	[ "$dst" != "$f" ] || dst=/$(basename "$src")
	[ -f "$src" ] || die "no file $src"
	mkdir -p "$o$(dirname "$dst")"
	cp -L "$src" "$o$dst"
done
for d in ${dirs[@]+"${dirs[@]}"}; do
	src=${d%%:*}
	dst=${d#*:}
	[ "$dst" != "$d" ] || die "-d wants HOST:GUEST, got $d"
	[ -d "$src" ] || die "no directory $src"
	mkdir -p "$o$dst"
	cp -a "$src/." "$o$dst/"
done
(cd "$o" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
	gzip -1 >"$work/overlay.cpio.gz"
cat "$base" "$work/overlay.cpio.gz" >"$work/initrd"

# --- qemu ------------------------------------------------------------------
accel=(-accel tcg)
if [ "${PFC_KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host)
else
	thread=${PFC_TCG_THREAD:-}
	[ -n "$thread" ] || { [ "$cpus" -gt 1 ] && thread=multi || thread=single; }
	accel=(-accel "tcg,thread=$thread")
fi
bios=()
for d in /usr/share/qemu /usr/share/seabios; do
	# qboot boots in a fraction of SeaBIOS's time (kunit.py uses it too)
	[ -f "$d/qboot.rom" ] && { bios=(-bios "$d/qboot.rom"); break; }
done

cmdline="console=ttyS0 printk.time=1 panic=-1 oops=panic printk.devkmsg=on${append}"
mkdir -p "$(dirname "$log")"
start=$(date +%s)
set +e
timeout -k 10 "$limit" "$qemu" "${accel[@]}" "${bios[@]}" \
	-m "$mem" -smp "$cpus" \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial stdio \
	-kernel "$kernel" -initrd "$work/initrd" -append "$cmdline" \
	</dev/null 2>&1 |
	sed -u 's/\r//g' |
	if [ "$verbose" = 1 ]; then tee /dev/stderr; else cat; fi >"$log"
qrc=${PIPESTATUS[0]}
set -e
secs=$(( $(date +%s) - start ))

started=0 finished=0 grc=""
grep -q 'PFC-VM: stage=guest-start' "$log" && started=1
grc=$(sed -n 's/.*PFC-VM: guest-exit=\([0-9]*\).*/\1/p' "$log" | tail -1)
[ -n "$grc" ] && finished=1

if [ "$finished" = 1 ]; then
	if [ "$grc" = 0 ]; then
		status=0 what="guest script passed"
	else
		status=1 what="guest script exited $grc"
	fi
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	if [ "$started" = 1 ]; then
		status=5 what="time limit (${limit}s) hit while the guest script ran"
	else
		status=4 what="boot failure: time limit (${limit}s) hit before the guest script started"
	fi
elif [ "$started" = 1 ]; then
	status=3 what="VM ended while the guest script ran (qemu status $qrc)"
else
	status=4 what="boot failure: VM ended before the guest script started (qemu status $qrc)"
fi
echo "boot: $what, ${secs}s, log $log" >&2
exit "$status"
