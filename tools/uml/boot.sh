#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a User-Mode Linux kernel (tools/uml/build-uml.sh) on a hostfs root
# made of busybox, run one guest script in it, halt it and say how far it
# got: tools/vm/boot.sh's contract, without qemu.  UML is a host program
# (the kernel runs natively, as this machine's user-space process), so
# nothing is loaded into the host kernel; the guest's insmod loads into
# the UML kernel.
#
# usage: tools/uml/boot.sh [options] <uml-linux> <guest-script> <log-file>
#
#   <uml-linux>     the UML kernel binary (<build-uml.sh dir>/linux)
#   <guest-script>  a /bin/sh (busybox ash) script, run as root in the guest
#                   as /guest.sh with cwd /, PATH=/bin:/sbin and, already
#                   mounted: /proc, /sys, /dev (devtmpfs), /sys/kernel/debug,
#                   /tmp and /run (tmpfs).  Its stdout and stderr go to the
#                   console.  It may call `vm-mark <word>` to print
#                   "PFC-VM: stage=<word>" through /dev/kmsg, as under
#                   tools/vm/boot.sh.
#   <log-file>      receives the whole console (kernel and guest), with
#                   carriage returns stripped; overwritten.
#
# options:
#   -f HOST[:GUEST]  put file HOST into the root at GUEST (default
#                    /<basename HOST>); repeatable
#   -a ARGS          append ARGS to the kernel command line
#   -m MEM           guest memory (default 2G): UML's mem=, a file in
#                    PFC_UML_TMPDIR (below) of that size
#   -t SECONDS       wall-clock limit for the whole boot (default 600)
#   -v               also stream the console to stderr while it runs
#
# environment:
#   PFC_UML_TMPDIR   where UML puts its memory file (an unlinked file of
#                    MEM bytes): default /dev/shm when it is a tmpfs with
#                    room for MEM plus 1G, else ${TMPDIR:-/tmp}
#   PFC_VM_VERBOSE=1 same as -v
#
# The root is a fresh directory per boot (busybox-static's /bin/busybox,
# its applet links, /init and /bin/vm-mark), mounted by UML as hostfs and
# removed afterwards.  The kernel command line always has printk.time=1
# oops=panic printk.devkmsg=on; not panic=-1, which UML turns into a
# re-exec of itself.  A panic ends UML (it kills its own process group,
# which is why UML runs in a session of its own).  UML's host processes
# are killed, by PID, at the end and on a time-out.
#
# exit status: as tools/vm/boot.sh (0 guest passed, 1 guest failed, 2
# setup error, 3 ended while the guest ran, 4 boot failure, 5 time limit).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mem=2G
limit=600
append=""
verbose=${PFC_VM_VERBOSE:-0}
files=()

usage() { sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "uml-boot: $*" >&2; exit 2; }

while getopts "f:a:m:t:vh" opt; do
	case "$opt" in
	f) files+=("$OPTARG") ;;
	a) append="$append $OPTARG" ;;
	m) mem=$OPTARG ;;
	t) limit=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 3 ] || usage
linux=$(readlink -f "$1") script=$2 log=$3
[ -x "$linux" ] || die "no UML kernel $1 (tools/uml/build-uml.sh builds one)"
[ -f "$script" ] || die "no guest script $script"

"$here/../deps.sh" uml >&2 || die "missing packages (tools/deps.sh uml)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	busybox=/bin/busybox
# hostfs shows the guest this machine's files: a dynamic busybox would
# need the host's libc inside the root.
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "no static busybox (apt-get install busybox-static)"

# bytes <size with K/M/G suffix>
bytes() {
	local n=${1%[KkMmGg]} m=1
	case "$n" in
	'' | *[!0-9]*) die "-m wants a size like 2G or 512M, got $1" ;;
	esac
	case "$1" in
	*[Kk]) m=1024 ;;
	*[Mm]) m=$((1024 * 1024)) ;;
	*[Gg]) m=$((1024 * 1024 * 1024)) ;;
	esac
	echo $((n * m))
}
need=$(bytes "$mem")
free_bytes() { df -P -k "$1" 2>/dev/null | awk 'NR == 2 { printf "%.0f\n", $4 * 1024 }'; }
umltmp=${PFC_UML_TMPDIR:-}
if [ -z "$umltmp" ]; then
	umltmp=${TMPDIR:-/tmp}
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
		[ "$(free_bytes /dev/shm)" -gt $((need + (1 << 30))) ] 2>/dev/null; then
		umltmp=/dev/shm
	fi
fi
if ! [ -d "$umltmp" ] || ! [ -w "$umltmp" ]; then
	die "PFC_UML_TMPDIR=$umltmp is not a writable directory"
fi
avail=$(free_bytes "$umltmp")
avail=${avail:-0}
[ "$avail" -gt "$need" ] ||
	die "$umltmp has $((avail >> 20)) MiB free, UML's memory file needs $((need >> 20)) MiB (set PFC_UML_TMPDIR)"

work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-uml.XXXXXX")
upid=""

# uml_procs: UML's host processes: its session (setsid below), by PID,
# checked to be this binary.
uml_procs() {
	local d st p
	[ -n "$upid" ] || return 0
	for d in /proc/[0-9]*; do
		st=$(cat "$d/stat" 2>/dev/null) || continue
		st=${st##*) }
		# fields after "(comm) ": state ppid pgrp session
		read -r _ _ _ p _ <<<"$st"
		[ "$p" = "$upid" ] || continue
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$linux" ] || continue
		echo "${d#/proc/}"
	done
}
kill_uml() {
	local p
	for p in $(uml_procs); do
		kill -KILL "$p" 2>/dev/null || true
	done
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	kill_uml
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the root ----------------------------------------------------------------
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
# Let the console drain before the marker, which goes through printk.
sleep 1
echo "PFC-VM: guest-exit=$rc" >/dev/kmsg
sync
# UML: reboot re-executes the kernel; power-off ends the host process.
poweroff -f
halt -f
EOF
}
mark_script() {
	cat <<'EOF'
#!/bin/sh
# vm-mark <word>: a stage marker in the kernel log, ordered with printk output
echo "PFC-VM: stage=$*" >/dev/kmsg 2>/dev/null || echo "PFC-VM: stage=$*"
EOF
}

r=$work/root
mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,run,root,etc,lib/modules}
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
done
init_script >"$r/init"
mark_script >"$r/bin/vm-mark"
install -m 755 "$script" "$r/guest.sh"
chmod 755 "$r/init" "$r/bin/vm-mark"
for f in ${files[@]+"${files[@]}"}; do
	src=${f%%:*}
	dst=${f#*:}
	[ "$dst" != "$f" ] || dst=/$(basename "$src")
	[ -f "$src" ] || die "no file $src"
	mkdir -p "$r$(dirname "$dst")"
	cp -L "$src" "$r$dst"
done

# --- UML ---------------------------------------------------------------------
# con0: no input (a closed stdin would hang the console up), output on
# stdout; the other consoles and the serial lines: nothing.
cmdline="mem=$mem root=/dev/root rootfstype=hostfs rootflags=$r rw init=/init"
cmdline="$cmdline con=null con0=null,fd:1 printk.time=1 oops=panic printk.devkmsg=on${append}"
# UML's pid file and mconsole socket: in the work directory, not ~/.uml.
cmdline="$cmdline uml_dir=$work/uml umid=pfc"
mkdir -p "$(dirname "$log")"
raw=$work/console.raw
start=$(date +%s)
tail_pid=""
(
	cd "$work"
	ulimit -c 0
	# shellcheck disable=SC2086
	TMPDIR=$umltmp exec setsid "$linux" $cmdline </dev/null >"$raw" 2>&1
) &
upid=$!
if [ "$verbose" = 1 ]; then
	tail -n +1 -f --pid="$upid" "$raw" >&2 &
	tail_pid=$!
fi
timed_out=0
while kill -0 "$upid" 2>/dev/null; do
	if [ $(( $(date +%s) - start )) -ge "$limit" ]; then
		timed_out=1
		kill -TERM "$upid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$upid" 2>/dev/null || break
			sleep 1
		done
		kill_uml
		break
	fi
	# kill -0 succeeds on a zombie: UML has exited, wait reaps it
	[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$upid/status" 2>/dev/null)" != Z ] ||
		break
	sleep 1
done
set +e
wait "$upid"
urc=$?
set -e
kill_uml
[ -z "$tail_pid" ] || wait "$tail_pid" 2>/dev/null || true
sed 's/\r//g' "$raw" >"$log"
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
elif [ "$timed_out" = 1 ]; then
	if [ "$started" = 1 ]; then
		status=5 what="time limit (${limit}s) hit while the guest script ran"
	else
		status=4 what="boot failure: time limit (${limit}s) hit before the guest script started"
	fi
elif [ "$started" = 1 ]; then
	status=3 what="UML ended while the guest script ran (status $urc)"
else
	status=4 what="boot failure: UML ended before the guest script started (status $urc)"
fi
echo "uml-boot: $what, ${secs}s, log $log" >&2
exit "$status"
