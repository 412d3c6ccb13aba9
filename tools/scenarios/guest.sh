#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash disable=SC1091,SC2086
#
# pfc stock-kernel scenarios: the guest half of tools/run-scenarios.sh.
# Runs under tools/vm/boot.sh as /guest.sh (busybox ash, as root, debugfs
# mounted) with, in the initramfs:
#   /scn/pfc.ko /scn/pfc_watch.ko   the modules under test
#   /scn/mod/*.ko                   Debian's loop, ext4, xfs, btrfs,
#                                   overlay and their deps; <fs>.order
#                                   says in which order xfs's and
#                                   btrfs's load
#   /scn/ext4.img                   an ext4 image made by mke2fs -d;
#   /scn/xfs.img /scn/btrfs.img     empty xfs and btrfs images
#   /scn/conf                       settings (CHURN_N, CHURN_EVERY, FSLIST,
#                                   ONLY: a regex on <fs>/<name>)
#   /bin/pfct                       helper (tools/scenarios/pfct.c)
# Every scenario prints "PFC-SCN: BEGIN <fs>/<name>" and then one of
# "PFC-SCN: PASS|FAIL|SKIP <fs>/<name>[: why]"; the host counts those.
# After each one the kernel must not be tainted beyond O (4096) and E
# (8192), and dmesg must have no new WARNING:/BUG:/Call Trace.
#
# Terms used in the comments: a file's contexts die when pfc's evictable
# fsnotify mark on its inode is destroyed, which happens
#   - in dentry_unlink_inode() -> fsnotify_inoderemove(), when the last
#     dentry of an inode whose i_nlink is 0 lets go of it (6.12.117's
#     inode_notify_dead()): at unlink(2) if no dentry of the file is in
#     use, else at the last dput() of the last one (see hl_setup below);
#   - in __destroy_inode() -> fsnotify_inode_delete(), at eviction;
#   - in fsnotify_sb_delete() at umount, and at rmmod pfc.

D=/sys/kernel/debug/pfc
W=/sys/kernel/debug/pfc_watch
CHURN_N=20000
CHURN_EVERY=10
PRESSURE_N=3000
FSLIST="tmpfs ext4 overlay fuse"
ONLY=
STRESS_SECS=0
[ -f /scn/conf ] && . /scn/conf

passed=0 failed=0 skipped=0
FS=- SB=- M=- SCN="" errs=""
WATCH=0

say() { echo "PFC-SCN: $*"; }
# a number from pfc's stats / pfc_watch's stats
pstat() { sed -n "s/^$1 //p" $D/stats; }
wstat() { sed -n "s/^$1 //p" $W/stats; }
ino() { stat -c %i "$1"; }
# the context lines of inode number $1 on the current fs
ctx_lines() { grep "^$SB $1 " $D/contexts; }
# how many contexts inode $1 carries: all, or those of one owner
nctx() {
	case "$2" in
	debugfs) ctx_lines "$1" | grep -c pfc_debugfs_owner ;;
	watch) ctx_lines "$1" | grep -c pfc_watch_owner ;;
	*) ctx_lines "$1" | grep -c . ;;
	esac
}
# the consumer's share: 1 per file while pfc_watch watches this fs, else 0
w1() { echo "$WATCH"; }
attach() { echo "$1" >$D/attach || err "attach $1 failed"; }
detach() { echo "$1" >$D/detach || err "detach $1 failed"; }
# wait until every queued free callback has run (RCU grace period + work)
settle() {
	local i=0
	while [ "$(pstat callbacks_pending)" != 0 ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
# run <name> <function>: unless ONLY (a regex) leaves <fs>/<name> out
run() {
	if [ -n "$ONLY" ] && ! echo "$FS/$1" | grep -qE "$ONLY"; then
		return 0
	fi
	$2
}
badlog() { dmesg | grep -cE 'WARNING:|BUG:|Call Trace|Oops'; }
err() { errs="$errs; $*"; }
# check <what> <expected> <actual>
check() { [ "$2" = "$3" ] || err "$1: expected $2, got $3"; }
# check_ge <what> <minimum> <actual>
check_ge() { [ "$3" -ge "$2" ] 2>/dev/null || err "$1: expected >= $2, got $3"; }

begin() {
	SCN="$FS/$1" errs=
	warn0=$(badlog)
	say "BEGIN $SCN"
}
end() {
	local t w ok=$((4096 | 8192))
	t=$(cat /proc/sys/kernel/tainted)
	# Debian's fanotify taints the kernel (X, 65536) when a listener asks
	# for permission events, as stress-ng's fanotify stressor does.
	dmesg | grep -q 'Using fanotify permission checks may lead to deadlock; tainting kernel' &&
		ok=$((ok | 65536))
	[ $((t & ~ok)) = 0 ] || err "kernel tainted: $t"
	w=$(badlog)
	if [ "$w" != "$warn0" ]; then
		err "new WARNING/BUG/Call Trace in dmesg"
		dmesg | grep -E 'WARNING:|BUG:|Call Trace|Oops' | tail -5
	fi
	if [ -z "$errs" ]; then
		passed=$((passed + 1))
		say "PASS $SCN"
	else
		failed=$((failed + 1))
		say "FAIL $SCN: ${errs#; }"
	fi
}
skip() {
	skipped=$((skipped + 1))
	say "SKIP $FS/$1: $2"
}

# --- setting up -----------------------------------------------------------

# Opens on the file systems pfc_watch watches attach a context; see
# tools/scenarios/pfc_watch/pfc_watch.c.
# pfc's tracepoints, read through tracefs as perf or trace-cmd would: an
# attach, a detach and an unlink give pfc_insert, pfc_unlink, pfc_free and
# pfc_evict lines carrying the inode number.
scn_tracepoints() {
	local T=/sys/kernel/tracing a b
	begin tracepoints
	[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
	if [ ! -d $T/events/pfc ]; then
		err "no $T/events/pfc"
		end
		return
	fi
	mkdir -p /mnt/trace
	mount -t tmpfs none /mnt/trace
	echo a >/mnt/trace/a
	echo b >/mnt/trace/b
	a=$(ino /mnt/trace/a)
	b=$(ino /mnt/trace/b)
	echo >$T/trace
	echo 1 >$T/events/pfc/enable
	attach /mnt/trace/a
	detach /mnt/trace/a
	attach /mnt/trace/b
	rm /mnt/trace/b
	settle
	echo 0 >$T/events/pfc/enable
	check "pfc_insert for a" 1 "$(grep -c "pfc_insert: .* ino=$a " $T/trace)"
	check "pfc_unlink for a" 1 "$(grep -c "pfc_unlink: .* ino=$a " $T/trace)"
	check "pfc_evict for b" 1 "$(grep -c "pfc_evict: .* ino=$b contexts=1" $T/trace)"
	check "pfc_free lines" 2 "$(grep -c "pfc_free: .*owner=pfc_debugfs_owner" $T/trace)"
	grep -E 'pfc_(insert|unlink|evict|free):' $T/trace | sed 's/^/    /' | head -8
	umount /mnt/trace
	end
}

load_watch() {
	WATCH=0
	insmod /scn/pfc_watch.ko || return 1
	WATCH=1
}
watch_fs() {
	[ "$WATCH" = 1 ] && echo "$1" >$W/watch
}

# --- overlayfs ---------------------------------------------------------------
# One tmpfs at $OR holds lower/, upper/ and work/; the overlay is at $OV.
# pfc_watch's "seen" file says, per open the hook saw, the superblock and
# inode of pfc_file_inode() and of pfc_file_data_inode() and what kind of
# file it was; "contexts" lines start with the superblock's s_id, which is
# "overlay" for overlay inodes and "tmpfs" for the real ones.
OR=/mnt/ovl-real
OV=/mnt/ovl
SERIES=$(uname -r | cut -d. -f1,2)
novl() { grep -c "^overlay .*$1" $D/contexts; }
# contexts of owner $2 on real (tmpfs) inode number $1
nreal() { grep "^tmpfs $1 " $D/contexts | grep -c "$2"; }
seen() { cat $W/seen; }

scn_overlay() {
	local li gi ui c0 lines
	begin contexts
	if [ "$WATCH" != 1 ] || [ ! -f /scn/mod/overlay.ko ]; then
		skip contexts "no consumer module or no overlay.ko"
		return
	fi
	grep -q '^overlay ' /proc/modules || insmod /scn/mod/overlay.ko ||
		{ err "insmod overlay.ko"; end; return; }
	c0=$(pstat contexts)
	mkdir -p $OR $OV && mount -t tmpfs ovl $OR && mkdir $OR/lower $OR/upper $OR/work &&
		echo data >$OR/lower/f && echo g >$OR/lower/g && echo h >$OR/lower/h &&
		mount -t overlay overlay -o lowerdir=$OR/lower,upperdir=$OR/upper,workdir=$OR/work $OV ||
		{ err "mounting the overlay failed"; end; return; }
	li=$(ino $OR/lower/f)
	gi=$(ino $OR/lower/g)

	# The overlay alone: one call per open, on the overlay inode, whose
	# data inode is the lower file's.
	watch_fs $OV
	echo >$W/seen
	cat $OV/f >/dev/null
	lines=$(seen)
	say "note: $SERIES, overlay watched, open of a lower file: $(echo $lines)"
	check "hook calls, overlay watched" 1 "$(seen | grep -c .)"
	check "what the hook saw" "overlay tmpfs $li plain" \
		"$(seen | awk '{print $1, $3, $4, $5}')"
	check "pfc_watch contexts on overlay inodes" 1 "$(novl pfc_watch_owner)"
	check "pfc_watch contexts on the lower inode" 0 "$(nreal $li pfc_watch_owner)"
	# Contexts through the lower path are the lower inode's, apart from
	# the overlay inode's.
	attach $OR/lower/f
	check "debugfs context on the lower inode" 1 "$(nreal $li pfc_debugfs_owner)"
	check "debugfs contexts on overlay inodes" 0 "$(novl pfc_debugfs_owner)"
	attach $OV/f
	check "debugfs context on the overlay inode" 1 "$(novl pfc_debugfs_owner)"

	# The real file system too: on 6.12 the backing file overlayfs opens
	# there is a second call, on the real inode; on 6.1 there is none.
	watch_fs $OR
	echo >$W/seen
	cat $OV/g >/dev/null
	say "note: $SERIES, overlay and real fs watched, open of a lower file: $(echo $(seen))"
	case $SERIES in
	6.1)
		check "hook calls, both watched" 1 "$(seen | grep -c .)"
		check "pfc_watch contexts on the lower inode g" 0 "$(nreal $gi pfc_watch_owner)"
		;;
	*)
		check "hook calls, both watched" 2 "$(seen | grep -c .)"
		check "the backing file" "tmpfs $gi tmpfs $gi backing" "$(seen | sed -n 2p)"
		check "pfc_watch contexts on the lower inode g" 1 "$(nreal $gi pfc_watch_owner)"
		;;
	esac

	# Copy-up: the upper inode is a new inode, with no context of the
	# lower one's; the lower inode keeps its own.
	echo more >>$OV/f
	[ -f $OR/upper/f ] || err "no copy-up"
	ui=$(ino $OR/upper/f)
	check "debugfs contexts on the upper inode" 0 "$(nreal $ui pfc_debugfs_owner)"
	check "debugfs context still on the lower inode" 1 "$(nreal $li pfc_debugfs_owner)"
	echo >$W/seen
	cat $OV/f >/dev/null
	check "data inode after copy-up" "tmpfs $ui" "$(seen | sed -n 1p | awk '{print $3, $4}')"

	# rename and unlink in the overlay: the overlay inode's contexts die
	# with it, the lower inode's stay (the lower file stays).
	mv $OV/g $OV/g2 || err "rename in the overlay"
	cat $OV/g2 >/dev/null
	local n0
	n0=$(novl .)
	rm $OV/g2 || err "unlink in the overlay"
	settle
	check "overlay contexts after unlink" $((n0 - 1)) "$(novl .)"
	check "lower file behind a whiteout" 1 "$(ls $OR/lower | grep -c '^g$')"

	# umount of the overlay frees the overlay inodes' contexts, not the
	# real ones'; umount of the real file system frees the rest.
	umount $OV || err "umount of the overlay"
	settle
	check "overlay contexts after its umount" 0 "$(novl .)"
	check "debugfs context on the lower inode after the overlay's umount" 1 \
		"$(nreal $li pfc_debugfs_owner)"
	umount $OR || err "umount of the real file system"
	settle
	check "contexts after both umounts" "$c0" "$(pstat contexts)"
	end
}

# Per-open contexts on files opened through an overlay (the overlay file;
# on 6.12 overlayfs' backing file underneath is another struct file).
scn_per_open_overlay() {
	begin per-open-contexts
	if [ "$WATCH" != 1 ] || [ ! -f /scn/mod/overlay.ko ]; then
		skip per-open-contexts "no consumer module or no overlay.ko"
		return
	fi
	grep -q '^overlay ' /proc/modules || insmod /scn/mod/overlay.ko ||
		{ err "insmod overlay.ko"; end; return; }
	mkdir -p $OR $OV && mount -t tmpfs ovl $OR && mkdir $OR/lower $OR/upper $OR/work &&
		mount -t overlay overlay -o lowerdir=$OR/lower,upperdir=$OR/upper,workdir=$OR/work $OV ||
		{ err "mounting the overlay failed"; end; return; }
	watch_fs $OV
	per_open_in $OV overlay real
	umount $OV || err "umount of the overlay"
	umount $OR || err "umount of the real file system"
	end
}

# --- btrfs -----------------------------------------------------------------
# One superblock, one inode number space per subvolume: a snapshot's copy
# of a file has the same inode number as the original and is a different
# inode, so it has contexts of its own.  A reflinked copy is a new inode
# sharing extents: no contexts.  Destroying a snapshot evicts its inodes.
scn_btrfs() {
	local i s n c0
	begin subvolumes-snapshots-reflinks
	# the ioctls below open $M: its pfc_watch context is not the case's
	ls $M >/dev/null
	c0=$(pstat contexts)
	pfct btrfs subvol $M sv || err "subvolume create"
	echo data >$M/sv/f
	pfct btrfs snap $M snap $M/sv || err "snapshot"
	i=$(ino $M/sv/f)
	s=$(ino $M/snap/f)
	check "inode number of the snapshot's copy" "$i" "$s"
	[ "$(stat -c %d $M/sv/f)" != "$(stat -c %d $M/snap/f)" ] ||
		err "subvolume and snapshot share st_dev"
	n=$(ctx_lines $i | grep -c .)
	attach $M/sv/f
	attach $M/snap/f
	check "contexts on the two inodes numbered $i" $((n + 2)) "$(ctx_lines $i | grep -c .)"
	detach $M/sv/f
	check "after detaching the subvolume's file" $((n + 1)) "$(ctx_lines $i | grep -c .)"
	check "the snapshot's file keeps its own" 1 "$(ctx_lines $i | grep -c pfc_debugfs_owner)"
	# open through the hook: one pfc_watch context per inode
	cat $M/sv/f $M/snap/f >/dev/null
	check "pfc_watch contexts on both inodes $i" $((2 * $(w1))) "$(nctx $i watch)"
	# a reflinked copy is a new inode and starts with no debugfs context
	pfct clone $M/snap/f $M/snap/g || err "reflink"
	check "debugfs contexts on the reflinked copy" 0 "$(nctx $(ino $M/snap/g) debugfs)"
	attach $M/snap/g
	check "debugfs context on the reflinked copy" 1 "$(nctx $(ino $M/snap/g) debugfs)"
	# destroying the snapshot evicts its inodes: their contexts die
	pfct btrfs destroy $M snap || err "snapshot destroy"
	sync
	echo 2 >/proc/sys/vm/drop_caches
	settle
	check "debugfs contexts after destroying the snapshot" 0 "$(nctx $i debugfs)"
	pfct btrfs destroy $M sv || err "subvolume destroy"
	echo 2 >/proc/sys/vm/drop_caches
	settle
	check "contexts after destroying both" "$c0" "$(pstat contexts)"
	end
}

# --- stress-ng ---------------------------------------------------------------
# Debian's stress-ng (/bin/stress-ng with its libraries, when STRESS_SECS
# is set) runs its file-system stressors for STRESS_SECS seconds in $1,
# while pfc_watch attaches a context at every open there and pfc_guard
# (loaded on first use) checks every open against a deny list.  Its exit
# status is its own verdict (--verify where a stressor has checks); then
# the file system is unmounted ($2 more mounts under it first) and pfc's
# gauges must be back where they were.
GD=/sys/kernel/debug/pfc_guard
STRESS_DENY=stress-denied-content
stress_guard() {
	[ -f /scn/pfc_guard.ko ] || return 0
	if [ ! -d $GD ]; then
		insmod /scn/pfc_guard.ko || return 1
		printf '%s' "$STRESS_DENY" | sha256sum | cut -c1-64 >$GD/deny || return 1
	fi
	echo "$1" >$GD/watch
}
scn_stress() {
	local dir=$1 c0 rc m
	begin stress-ng
	c0=$(pstat contexts)
	stress_guard $dir || err "pfc_guard did not load or watch $dir"
	printf '%s' "$STRESS_DENY" >$dir/denied
	mkdir -p $dir/stress
	stress-ng --temp-path $dir/stress --timeout ${STRESS_SECS}s --verify \
		--dentry 1 --dir 1 --filename 1 --hdd 1 --hdd-bytes 4M --link 1 \
		--symlink 1 --rename 1 --open 1 --mmap 1 --mmap-bytes 4M \
		--fallocate 1 --fallocate-bytes 4M --inotify 1 --fanotify 1 \
		--xattr 1 --metrics-brief >/tmp/stress.out 2>&1
	rc=$?
	tail -25 /tmp/stress.out
	check "stress-ng's verdict" 0 "$rc"
	if [ -d $GD ]; then
		cat $dir/denied >/dev/null 2>&1 && err "pfc_guard let the denied file be opened"
		say "note: $FS: pfc_guard $(tr '\n' ' ' <$GD/stats)"
	fi
	say "note: $FS: pfc_watch $(tr '\n' ' ' <$W/stats)"
	rm -rf $dir/stress $dir/denied
	for m in $2 $dir; do
		umount $m || err "umount $m"
	done
	settle
	check "contexts after umount" "$c0" "$(pstat contexts)"
	end
}
scn_stress_fs() {
	grep -q " $M " /proc/mounts || mount_fs || { begin stress-ng; err "mount failed"; end; return; }
	scn_stress $M
}
scn_stress_overlay() {
	grep -q '^overlay ' /proc/modules || insmod /scn/mod/overlay.ko
	mkdir -p $OR $OV && mount -t tmpfs ovl $OR && mkdir $OR/lower $OR/upper $OR/work &&
		mount -t overlay overlay -o lowerdir=$OR/lower,upperdir=$OR/upper,workdir=$OR/work $OV || {
		begin stress-ng
		err "mounting the overlay failed"
		end
		return
	}
	watch_fs $OR
	watch_fs $OV
	stress_guard $OR
	scn_stress $OV $OR
}

# --- FUSE --------------------------------------------------------------------
# /bin/pfc_fusefs (tools/scenarios/pfc_fusefs.c, libfuse3) serves f, with
# fixed content, and g, whose content the server changes at every open.
FU=/mnt/fuse
scn_fuse() {
	local i c0 a b fpid n
	begin contexts
	if [ "$WATCH" != 1 ] || [ ! -x /bin/pfc_fusefs ]; then
		skip contexts "no consumer module or no FUSE server"
		return
	fi
	[ -e /sys/fs/fuse ] || insmod /scn/mod/fuse.ko || err "insmod fuse.ko"
	[ -e /dev/fuse ] || mknod /dev/fuse c 10 229
	mkdir -p $FU
	pfc_fusefs $FU &
	fpid=$!
	n=0
	while ! grep -q " $FU fuse" /proc/mounts && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	grep -q " $FU fuse" /proc/mounts || { err "the FUSE file system did not mount"; end; return; }
	c0=$(pstat contexts)
	watch_fs $FU
	cat $FU/f >/dev/null
	i=$(ino $FU/f)
	check "pfc_watch context on the FUSE inode" 1 \
		"$(grep "^fuse $i " $D/contexts | grep -c pfc_watch_owner)"
	# The kernel forgets the inode (drop_caches evicts it, FUSE sends the
	# server a FORGET): its contexts die with it.  Until the server has
	# answered the asynchronous RELEASE of the last open, FUSE holds the
	# inode: drop caches again a few times.
	n=0
	while [ $n -lt 10 ]; do
		echo 2 >/proc/sys/vm/drop_caches
		settle
		[ "$(pstat contexts)" = "$c0" ] && break
		sleep 0.2
		n=$((n + 1))
	done
	if [ "$(pstat contexts)" != "$c0" ]; then
		say "note: after drop_caches: $(grep '^fuse ' $D/contexts | tr '\n' ';') (f is $i)"
	fi
	check "contexts after the kernel forgot the inode" "$c0" "$(pstat contexts)"
	# What a FUSE server may do: change a file's content behind the
	# kernel's back, with no write the kernel could see.
	a=$(cat $FU/g)
	b=$(cat $FU/g)
	[ "$a" != "$b" ] || err "g did not change between opens ($a)"
	# pfc_guard does not watch FUSE, and denies an overlay's file whose
	# data is on FUSE, rather than hash it from the hook.
	if stress_guard /run; then
		grep -q '^overlay ' /proc/modules || insmod /scn/mod/overlay.ko
		echo $FU >$GD/watch 2>/dev/null && err "pfc_guard watches FUSE"
		mkdir -p $OR && mount -t tmpfs ovl $OR && mkdir $OR/upper $OR/work $OR/o &&
			mount -t overlay overlay -o lowerdir=$FU,upperdir=$OR/upper,workdir=$OR/work $OR/o ||
			err "overlay on FUSE"
		echo $OR/o >$GD/watch || err "pfc_guard cannot watch the overlay"
		cat $OR/o/f >/dev/null 2>&1 && err "pfc_guard let a file with data on FUSE be opened"
		say "note: pfc_guard $(tr '\n' ' ' <$GD/stats)"
		umount $OR/o && umount $OR || err "umount of the overlay on FUSE"
	else
		err "pfc_guard did not load"
	fi
	umount $FU || err "umount of the FUSE file system"
	wait $fpid || err "pfc_fusefs exited with $?"
	settle
	check "contexts after umount" "$c0" "$(pstat contexts)"
	end
}

load_ext4() {
	local m
	for m in crc16 mbcache jbd2 crc32c_generic ext4 loop; do
		[ -f /scn/mod/$m.ko ] || return 1
		grep -q "^$m " /proc/modules || insmod /scn/mod/$m.ko || return 1
	done
	[ -f /scn/ext4.img ] || return 1
	losetup /dev/loop0 /scn/ext4.img
}

# xfs and btrfs: the modules of /scn/mod/$1.order, in that order, and
# /scn/$1.img on loop device $2.
load_blockfs() {
	local m
	[ -f /scn/mod/$1.order ] && [ -f /scn/$1.img ] || return 1
	for m in $(cat /scn/mod/$1.order); do
		grep -q "^$m " /proc/modules || insmod /scn/mod/$m.ko || return 1
	done
	losetup /dev/$2 /scn/$1.img
}

# mount a file system of type $FS on $1 (a new tmpfs, or the image's)
mount_at() {
	mkdir -p "$1"
	case "$FS" in
	tmpfs) mount -t tmpfs -o size=512m,nr_inodes=0 scn "$1" ;;
	ext4) mount -t ext4 /dev/loop0 "$1" ;;
	xfs) mount -t xfs /dev/loop1 "$1" ;;
	btrfs) mount -t btrfs /dev/loop2 "$1" ;;
	*) false ;;
	esac
}

mount_fs() {
	mount_at "$M" || return 1
	watch_fs "$M"
	return 0
}

# --- the scenarios ----------------------------------------------------------

# Contexts attached through debugfs show up in "contexts", one line each,
# with the file's inode number and one reference (the list's).
scn_attach_debugfs() {
	local f=$M/a1 i line
	begin attach-debugfs
	echo data >$f
	i=$(ino $f)
	attach $f
	check "debugfs contexts on a1" 1 "$(nctx $i debugfs)"
	line=$(ctx_lines $i | grep pfc_debugfs_owner)
	check "refs of a1's context" 1 "$(echo "$line" | awk '{print $NF}')"
	attach $f
	check "after a second attach" 2 "$(nctx $i debugfs)"
	detach $f
	check "after detach" 1 "$(nctx $i debugfs)"
	rm $f
	settle
	check "after unlink" 0 "$(nctx $i)"
	end
}

# The consumer attaches at open(2), once per inode (pfc_insert_unique);
# opens on a file system it does not watch cost it nothing.
scn_attach_open() {
	local f=$M/o1 i p0 o0
	begin attach-open
	if [ "$WATCH" != 1 ]; then
		skip attach-open "no consumer module"
		return
	fi
	echo data >$f
	i=$(ino $f)
	check "pfc_watch contexts after create" 1 "$(nctx $i watch)"
	p0=$(wstat present)
	cat $f >/dev/null
	cat $f >/dev/null
	check "pfc_watch contexts after 2 more opens" 1 "$(nctx $i watch)"
	check "opens that found the context" $((p0 + 2)) "$(wstat present)"
	o0=$(wstat opens)
	echo x >/run/unwatched
	cat /run/unwatched >/dev/null
	rm /run/unwatched
	check "hook calls for opens on an unwatched fs" "$o0" "$(wstat opens)"
	end
}

# Per-open contexts, attached through pfc_watch's fattach (the descriptor
# number of the writer): one struct file however many descriptors and
# processes share it, freed at its last fput(), which pfc_watch's close
# hook sees once, with the context still there.  The shell's own echo
# writes, so the descriptor is the shell's.
# $3: "real" where a mapping holds overlayfs' real file rather than the
# one mapped (ovl_mmap() -> vma_set_file(), 6.12 and 6.1): the overlay
# file's contexts die at its close, mapped or not.
per_open_in() {
	local f=$1/po sb=$2 i a0 x0 c0 m=0
	[ "${3:-}" = real ] && m=1
	echo data >$f
	i=$(ino $f)
	a0=$(wstat fattached) x0=$(wstat ffreed) c0=$(wstat fcloses)
	# dup(), then the two closed one after the other
	exec 3<$f
	echo 3 >$W/fattach || err "fattach"
	check "per-open context lines of the file" 1 "$(grep -c "^$sb $i/file " $D/contexts)"
	check "the inode's own lines" 1 "$(grep -c "^$sb $i " $D/contexts)"
	exec 4<&3
	exec 3<&-
	settle
	check "freed after closing one of two dups" "$x0" "$(wstat ffreed)"
	exec 4<&-
	settle
	check "freed at the last close" $((x0 + 1)) "$(wstat ffreed)"
	check "per-open lines after the close" 0 "$(grep -c "^$sb $i/file " $D/contexts)"
	# fork(): the child holds the file after the parent closed it
	exec 3<$f
	echo 3 >$W/fattach || err "fattach before fork"
	(sleep 1) &
	exec 3<&-
	settle
	check "freed while a child holds the file" $((x0 + 1)) "$(wstat ffreed)"
	wait
	settle
	check "freed when the child exits" $((x0 + 2)) "$(wstat ffreed)"
	# exec(): the descriptor is inherited across it
	exec 3<$f
	echo 3 >$W/fattach || err "fattach before exec"
	sh -c 'exec sleep 1' &
	exec 3<&-
	settle
	check "freed while an exec'd child holds the file" $((x0 + 2)) "$(wstat ffreed)"
	wait
	settle
	check "freed when the exec'd child exits" $((x0 + 3)) "$(wstat ffreed)"
	# mmap(), close(), munmap(): the mapping holds the file
	rm -f /run/po-ready
	pfct mapclose $f $W/fattach /run/po-ready &
	i=0
	while [ ! -e /run/po-ready ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	settle
	check "freed while only a mapping holds the file" $((x0 + 3 + m)) "$(wstat ffreed)"
	rm -f /run/po-ready
	wait
	settle
	check "freed at the munmap" $((x0 + 4)) "$(wstat ffreed)"
	check "per-open contexts attached" $((a0 + 4)) "$(wstat fattached)"
	check "closes the hook saw with the context" $((c0 + 4)) "$(wstat fcloses)"
	check "files the close hook saw twice" 0 "$(wstat ftwice)"
	check "pfc's files gauge" 0 "$(pstat files)"
	# an O_PATH descriptor cannot carry one
	rm $f
}

# Per-superblock contexts (pfc_watch's sattach): one line "<sb> sb ..." in
# pfc's contexts; freed at umount, and after a lazy umount only when the
# last open file of the file system goes; never keeping it mounted.
scn_per_sb() {
	local m=/mnt/persb s0 f0
	begin per-superblock-contexts
	if [ "$WATCH" != 1 ]; then
		skip per-superblock-contexts "no consumer module"
		return
	fi
	s0=$(wstat sattached) f0=$(wstat sfreed)
	mount_at $m || { err "mount"; end; return; }
	echo $m >$W/sattach || err "sattach"
	echo $m >$W/sattach || err "sattach twice"
	check "superblock context lines" 2 "$(grep -c "^tmpfs sb .*pfc_watch" $D/contexts)"
	umount $m || err "umount with superblock contexts"
	settle
	check "freed at umount" $((f0 + 2)) "$(wstat sfreed)"
	mount_at $m || { err "mount again"; end; return; }
	echo $m >$W/sattach || err "sattach before the lazy umount"
	echo x >$m/f
	exec 3<$m/f
	umount -l $m || err "lazy umount"
	settle
	check "freed while a file keeps the file system" $((f0 + 2)) "$(wstat sfreed)"
	exec 3<&-
	settle
	check "freed at the last close after a lazy umount" $((f0 + 3)) "$(wstat sfreed)"
	check "attached" $((s0 + 3)) "$(wstat sattached)"
	end
}

scn_per_open() {
	begin per-open-contexts
	if [ "$WATCH" != 1 ]; then
		skip per-open-contexts "no consumer module"
		return
	fi
	per_open_in $M $SB
	end
}

# The opened callback (pfc_watch's, pfc_open_hook_set_opened()): once per
# open that succeeded, from open(2) on 6.12 and 6.1 alike, where a
# per-open insert works; what it attaches lives until the last close,
# which the close hook sees with the context still there.
scn_opened() {
	local f=$M/op i o0 n0 a0 x0 c0
	begin opened-hook
	if [ "$WATCH" != 1 ]; then
		skip opened-hook "no consumer module"
		return
	fi
	echo data >$f
	i=$(ino $f)
	o0=$(wstat opened) n0=$(wstat opens)
	cat $f >/dev/null
	cat $f >/dev/null
	check "open hook calls for two opens" $((n0 + 2)) "$(wstat opens)"
	check "opened calls for two opens" $((o0 + 2)) "$(wstat opened)"
	echo 1 >$W/oattach || err "oattach"
	a0=$(wstat oattached) x0=$(wstat ofreed) c0=$(wstat ocloses)
	exec 3<$f
	check "per-open contexts attached by the opened hook" $((a0 + 1)) "$(wstat oattached)"
	check "per-open context lines of the file" 1 "$(grep -c "^$SB $i/file .*pfc_watch" $D/contexts)"
	exec 4<&3
	exec 3<&-
	settle
	check "freed after closing one of two dups" "$x0" "$(wstat ofreed)"
	exec 4<&-
	settle
	check "freed at the last close" $((x0 + 1)) "$(wstat ofreed)"
	check "closes that found it" $((c0 + 1)) "$(wstat ocloses)"
	echo 0 >$W/oattach
	rm $f
	settle
	check "pfc's files gauge" 0 "$(pstat files)"
	end
}

# rename(2) and link(2) do not touch the inode's contexts: the same lines,
# under the same inode number, whatever the name.
scn_rename_link() {
	local i before
	begin rename-link
	echo data >$M/r1
	i=$(ino $M/r1)
	attach $M/r1
	before=$(ctx_lines $i)
	mv $M/r1 $M/r2
	mkdir -p $M/sub
	mv $M/r2 $M/sub/r3
	check "inode after renames" "$i" "$(ino $M/sub/r3)"
	check "contexts after renames" "$before" "$(ctx_lines $i)"
	ln $M/sub/r3 $M/r4
	check "inode of the hard link" "$i" "$(ino $M/r4)"
	check "contexts after link" "$before" "$(ctx_lines $i)"
	attach $M/r4
	check "attach via the second name" 2 "$(nctx $i debugfs)"
	detach $M/sub/r3
	check "detach via the first name" 1 "$(nctx $i debugfs)"
	rm $M/sub/r3
	check "after unlinking one of two names" $((1 + $(w1))) "$(nctx $i)"
	rm $M/r4
	settle
	check "after unlinking the last name" 0 "$(nctx $i)"
	end
}

# Unlinked while open: the name's dentry is in use, so d_delete() only
# unhashes it; the contexts go at the last close, when the last dput() of
# the dentry runs dentry_unlink_inode() with i_nlink == 0.
scn_unlinked_open() {
	local f=$M/u1 i cb0 n
	begin unlinked-open
	echo data >$f
	i=$(ino $f)
	attach $f
	exec 3<$f
	exec 4<$f
	rm $f
	n=$((1 + $(w1)))
	check "contexts after unlink, 2 fds open" $n "$(nctx $i)"
	exec 3<&-
	check "contexts after the first close" $n "$(nctx $i)"
	cb0=$(pstat callbacks_run)
	exec 4<&-
	check "contexts after the last close" 0 "$(nctx $i)"
	settle
	check "free callbacks run at the last close" $((cb0 + n)) "$(pstat callbacks_run)"
	end
}

# drop_caches 2 shrinks the dentry and inode caches: an inode that nothing
# references is evicted, and its contexts freed, unless it still has page
# cache -- inode_lru_isolate() takes an inode whose mapping is not
# mapping_shrinkable() (on 64-bit: any cached page) off the LRU instead of
# evicting it; dropping the page cache (drop_caches 1) puts it back and
# the next shrink evicts it.  An open file keeps its inode, and its
# contexts, through all of it.  tmpfs keeps a reference on the dentry of
# every file that exists (it has no other copy), so nothing there is
# evicted and every context stays.
# Recently used dentries and inodes (DCACHE_REFERENCED, I_REFERENCED) get
# one more pass, and drop_slab() stops once a pass frees little, so one
# write to drop_caches may leave a just-closed file cached: shrink() writes
# three times.
shrink() {
	echo "$1" >/proc/sys/vm/drop_caches
	echo 2 >/proc/sys/vm/drop_caches
	echo 2 >/proc/sys/vm/drop_caches
	settle
}
scn_drop_caches() {
	local n i1 i2 i3 i4 gone
	begin drop-caches
	mkdir $M/dc
	echo data >$M/dc/d1	# held open
	: >$M/dc/d2		# empty, unreferenced
	: >$M/dc/d3		# empty, unreferenced
	echo data >$M/dc/d4	# page cache, unreferenced
	for n in 1 2 3 4; do attach $M/dc/d$n; done
	i1=$(ino $M/dc/d1) i2=$(ino $M/dc/d2) i3=$(ino $M/dc/d3) i4=$(ino $M/dc/d4)
	exec 3<$M/dc/d1
	sync
	shrink 2
	n=$((1 + $(w1)))
	case "$FS" in
	tmpfs) gone=$n ;;
	*) gone=0 ;;
	esac
	check "drop_caches 2: contexts of the open file" $n "$(nctx $i1)"
	check "drop_caches 2: contexts of empty d2" $gone "$(nctx $i2)"
	check "drop_caches 2: contexts of empty d3" $gone "$(nctx $i3)"
	check "drop_caches 2: contexts of d4 (page cache)" $n "$(nctx $i4)"
	shrink 3
	check "drop_caches 3: contexts of the open file" $n "$(nctx $i1)"
	check "drop_caches 3: contexts of d4" $gone "$(nctx $i4)"
	exec 3<&-
	shrink 3
	check "drop_caches 3: contexts of d1 once closed" $gone "$(nctx $i1)"
	rm -r $M/dc
	end
}

# The last link of a hard-linked inode goes while another name's dentry is
# in use.  pfc's contexts die with its fsnotify mark, and on a live inode
# fsnotify destroys marks in dentry_unlink_inode() -> fsnotify_inoderemove()
# only; what decides is when that runs.  vfs_unlink() -> d_delete(): if the
# unlinked name's dentry has no other user, dentry_unlink_inode() runs at
# once; if it is in use (an open file, an O_PATH descriptor, a cwd) the
# dentry is only unhashed, stays an alias of the inode, and
# dentry_unlink_inode() runs at its last dput().  Then, in 6.12.117
# (fs/dcache.c):
#	notify_dead = inode_notify_dead(inode);	 i_nlink == 0 && no alias left
#	if (notify_dead) fsnotify_inoderemove(inode);
# so the marks go when the last dentry of an unlinked inode goes, whichever
# name it had: contexts live while any name is still in use, as in FSRTL
# (until the last handle).  Kernels without inode_notify_dead() (6.1.192,
# and 6.12 before that backport) test only i_nlink == 0 there: the first
# dentry to let go of an unlinked inode destroys the marks, and contexts
# die while the file is still open through another name.  These scenarios
# pin both behaviours: hl_kept says how many contexts the kernel under test
# keeps once the first dentry of the unlinked inode has gone.
# The last iput() then evicts the inode (i_nlink == 0), and
# __destroy_inode() -> fsnotify_inode_delete() finds no mark left.
hl_setup() {
	# /proc/kallsyms has no static functions' sizes; the version decides.
	case $(uname -r) in
	6.1.*) hl_early=1 ;;
	*) hl_early=0 ;;
	esac
	echo data >$M/hA
	ln $M/hA $M/hB
	hi=$(ino $M/hA)
	attach $M/hA
	hn=$((1 + $(w1)))
}

# Contexts left once a dentry of the unlinked inode died while another
# name is still in use: all of them with inode_notify_dead(), none on 6.1.
hl_kept() {
	if [ "$hl_early" = 1 ]; then echo 0; else echo $hn; fi
}

# fd on A; unlink B (nlink 2 -> 1), then A (1 -> 0, A in use): contexts
# stay until the fd is closed.
scn_hl_open_name_last() {
	begin hardlink-open-name-unlinked-last
	hl_setup
	exec 3<$M/hA
	rm $M/hB
	check "after unlinking the other name" $hn "$(nctx $hi)"
	rm $M/hA
	check "after unlinking the open name" $hn "$(nctx $hi)"
	exec 3<&-
	settle
	check "after the last close" 0 "$(nctx $hi)"
	end
}

# fd on A; unlink A (in use: only unhashed), then B: B's dentry is unused
# and goes at once, but A is still an alias, so no fsnotify_inoderemove():
# contexts stay until fd 3 (A's last user) is closed.
scn_hl_open_name_first() {
	local data
	begin hardlink-open-name-unlinked-first
	hl_setup
	exec 3<$M/hA
	rm $M/hA
	check "after unlinking the open name" $hn "$(nctx $hi)"
	rm $M/hB
	check "after unlinking the last (unused) name, fd open" "$(hl_kept)" "$(nctx $hi)"
	data=$(cat <&3)
	check "file still readable through fd 3" data "$data"
	if [ "$WATCH" = 1 ]; then
		# An open through the fd finds the consumer's context.
		exec 4</proc/self/fd/3
		check "consumer contexts after reopen via /proc/self/fd" 1 "$(nctx $hi watch)"
		exec 4<&-
	fi
	exec 3<&-
	settle
	check "after the last close" 0 "$(nctx $hi)"
	end
}

# fds on A and on B; unlink both (both only unhashed); close B: B's dentry
# dies, but A is still an alias: contexts stay; close A: they go.
scn_hl_two_names_open() {
	begin hardlink-both-names-open
	hl_setup
	exec 3<$M/hA
	exec 4<$M/hB
	rm $M/hA $M/hB
	check "after unlinking both names" $hn "$(nctx $hi)"
	exec 4<&-
	check "after closing B, fd on A open" "$(hl_kept)" "$(nctx $hi)"
	exec 3<&-
	settle
	check "after the last close" 0 "$(nctx $hi)"
	end
}

# An O_PATH descriptor pins A's dentry without opening the file (no open
# event, so no consumer context is added): the same as an open fd.
scn_hl_opath() {
	local pid n
	begin hardlink-opath-name-unlinked-first
	hl_setup
	rm -f /run/held
	pfct hold-path $M/hA /run/held &
	pid=$!
	n=0
	while [ ! -e /run/held ] && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ -e /run/held ] || err "pfct hold-path did not start"
	rm $M/hA
	check "after unlinking the O_PATH-held name" $hn "$(nctx $hi)"
	rm $M/hB
	check "after unlinking the last (unused) name" "$(hl_kept)" "$(nctx $hi)"
	kill $pid
	wait $pid 2>/dev/null
	settle
	check "after the holder exits" 0 "$(nctx $hi)"
	end
}

# A cwd is a dentry in use too: a removed directory keeps its contexts
# while a process still has it as its working directory.
scn_cwd_rmdir() {
	local pid n i
	begin rmdir-while-cwd
	mkdir $M/cwd
	i=$(ino $M/cwd)
	attach $M/cwd
	rm -f /run/incwd
	sh -c "cd $M/cwd && touch /run/incwd && exec sleep 1000" &
	pid=$!
	n=0
	while [ ! -e /run/incwd ] && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ -e /run/incwd ] || err "cwd holder did not start"
	rmdir $M/cwd
	check "after rmdir, still a cwd" 1 "$(nctx $i debugfs)"
	kill $pid
	wait $pid 2>/dev/null
	settle
	check "after the cwd holder exits" 0 "$(nctx $i)"
	end
}

# rmmod of the consumer: its exit releases the open hook and calls
# pfc_remove_owner(), which unlinks all of its contexts and waits for their
# free callbacks.  Contexts of other owners stay.
scn_consumer_sweep() {
	local n i live c0
	begin rmmod-consumer-sweeps
	if [ "$WATCH" != 1 ]; then
		skip rmmod-consumer-sweeps "no consumer module"
		return
	fi
	for n in 1 2 3 4 5; do echo data >$M/w$n; done
	attach $M/w1
	i=$(ino $M/w1)
	exec 3<$M/w2
	live=$(wstat live)
	check_ge "pfc_watch live contexts" 5 "$live"
	c0=$(pstat contexts)
	rmmod pfc_watch || err "rmmod pfc_watch failed"
	WATCH=0
	check "pfc contexts after rmmod pfc_watch" $((c0 - live)) "$(pstat contexts)"
	check "pfc_watch contexts left" 0 "$(grep -c pfc_watch_owner $D/contexts)"
	check "debugfs context on w1" 1 "$(nctx $i debugfs)"
	check "callbacks pending after the sweep" 0 "$(pstat callbacks_pending)"
	dmesg | grep 'pfc_watch: unloaded' | tail -1 |
		awk '{ if ($(NF-2) != $NF) exit 1 }' ||
		err "pfc_watch: attached != freed: $(dmesg | grep 'pfc_watch: unloaded' | tail -1)"
	exec 3<&-
	rm $M/w1 $M/w2 $M/w3 $M/w4 $M/w5
	load_watch && watch_fs "$M"
	end
}

# rmmod of the consumer while its contexts' inodes are being unlinked
# (evicted, entries unhashed) at the same time: the sweep must still find
# every context of the consumer.  One it missed would stay attached with a
# free callback in unloaded code, and be called when its file goes.
scn_consumer_sweep_racing() {
	local c0 pid
	begin rmmod-consumer-racing-unlinks
	if [ "$WATCH" != 1 ]; then
		skip rmmod-consumer-racing-unlinks "no consumer module"
		return
	fi
	settle
	c0=$(pstat contexts)
	mkdir $M/race
	pfct files $M/race 3000 create || err "pfct files create failed"
	check_ge "contexts on 3000 new files" $((c0 + 3000)) "$(pstat contexts)"
	pfct files $M/race 3000 unlink &
	pid=$!
	rmmod pfc_watch || err "rmmod pfc_watch failed"
	WATCH=0
	wait $pid || err "pfct files unlink failed"
	settle
	check "contexts after rmmod and unlinks" "$c0" "$(pstat contexts)"
	check "callbacks pending" 0 "$(pstat callbacks_pending)"
	dmesg | grep 'pfc_watch: unloaded' | tail -1 |
		awk '{ if ($(NF-2) != $NF) exit 1 }' ||
		err "pfc_watch: attached != freed: $(dmesg | grep 'pfc_watch: unloaded' | tail -1)"
	rmdir $M/race
	load_watch && watch_fs "$M"
	end
}

# A lazy umount with a file still open detaches the mount, but the
# superblock lives on until the file is closed; its contexts with it.  At
# the last close the superblock shuts down (fsnotify_sb_delete()).
scn_lazy_umount() {
	local i lm=/mnt/lazy-$FS
	begin lazy-umount-open-file
	# A fresh superblock: the image's on the same device would share $M's.
	umount $M 2>/dev/null
	mount_at $lm || err "mount failed"
	echo data >$lm/z1
	i=$(ino $lm/z1)
	attach $lm/z1
	exec 3<$lm/z1
	umount -l $lm || err "umount -l failed"
	check "contexts after umount -l, file open" 1 "$(nctx $i debugfs)"
	exec 3<&-
	settle
	check "contexts after the last close" 0 "$(nctx $i)"
	end
}

# umount: fsnotify_sb_delete() destroys every mark on the superblock, so
# every context of the fs is freed.  Nothing else carries contexts now, so
# the totals go to zero and every inserted context got its callback.
scn_umount() {
	local n
	begin umount
	mkdir -p $M/um
	for n in 1 2 3 4 5 6; do
		echo data >$M/um/m$n
		attach $M/um/m$n
	done
	attach $M/um
	check_ge "contexts before umount" 7 "$(pstat contexts)"
	umount $M || err "umount failed"
	settle
	check "contexts after umount" 0 "$(pstat contexts)"
	check "inodes with contexts after umount" 0 "$(pstat inodes)"
	check "callbacks_run == inserts" "$(pstat inserts)" "$(pstat callbacks_run)"
	end
}

# Heavy inode churn on a fresh mount: CHURN_N files created (each create
# is an open: the consumer attaches), opened again, every CHURN_EVERY-th
# attached through debugfs too, then all unlinked.  Ends with nothing
# live and a callback for every insert.
scn_churn() {
	local out live want
	begin churn-$CHURN_N
	if ! mount_fs; then
		err "mount failed"
		end
		return
	fi
	mkdir $M/churn
	out=$(pfct churn $M/churn $CHURN_N $CHURN_EVERY) || err "pfct churn failed"
	echo "$out"
	live=$(echo "$out" | sed -n 's/.* live \([0-9]*\).*/\1/p')
	want=$((CHURN_N * $(w1) + (CHURN_N + CHURN_EVERY - 1) / CHURN_EVERY))
	check_ge "live contexts before unlink" $want "$live"
	settle
	check "contexts after unlink" 0 "$(pstat contexts)"
	check "inodes with contexts after unlink" 0 "$(pstat inodes)"
	check "callbacks_pending" 0 "$(pstat callbacks_pending)"
	check "callbacks_run == inserts" "$(pstat inserts)" "$(pstat callbacks_run)"
	[ "$WATCH" = 1 ] && check "pfc_watch live" 0 "$(wstat live)"
	rmdir $M/churn
	umount $M || err "umount failed"
	end
}

# Several processes create, open, rename, hard-link and unlink files while
# the consumer attaches a context at every open and drop_caches runs in a
# loop; then umount.  Nothing may be left and nothing may warn.
scn_pressure() {
	local i pids="" rc=0
	begin pressure
	if ! mount_fs; then
		err "mount failed"
		end
		return
	fi
	[ "$WATCH" = 1 ] || err "no consumer (pfc_watch) to attach at open"
	mkdir $M/p
	touch /run/pressure
	( while [ -e /run/pressure ]; do
		echo 3 >/proc/sys/vm/drop_caches
		sleep 0.1
	done ) &
	for i in 1 2 3 4; do
		pfct pressure $M/p $PRESSURE_N p$i &
		pids="$pids $!"
	done
	for i in $pids; do
		wait $i || rc=1
	done
	rm /run/pressure
	wait
	[ $rc = 0 ] || err "a pressure process failed"
	settle
	check_ge "contexts attached at open" $((4 * PRESSURE_N)) "$(wstat attached)"
	check "contexts on the file system after the churn" 0 "$(grep -c "^$SB " $D/contexts)"
	rmdir $M/p
	umount $M || err "umount failed"
	settle
	check "contexts after umount" 0 "$(pstat contexts)"
	check "callbacks_pending" 0 "$(pstat callbacks_pending)"
	end
}

# rmmod pfc last, with debugfs contexts still attached: on 1000 files that
# exist and on one that is unlinked but open.  pfc_exit() destroys every
# mark and waits for the callbacks; it WARNs if anything is left.  Closing
# the unlinked file afterwards evicts an inode pfc no longer marks.  Then
# pfc loads again with nothing attached.
scn_rmmod_pfc() {
	local n
	FS=tmpfs SB=tmpfs M=/mnt/last
	begin rmmod-pfc-last
	mount_fs || err "mount failed"
	# Enough inodes that some share a hash bucket of pfc's table, however
	# large it still is after the churn.
	mkdir $M/many
	for n in $(seq 1 1000); do
		echo data >$M/many/l$n
		attach $M/many/l$n
	done
	exec 5<$M/many/l3
	rm $M/many/l3
	# A per-open context of pfc's own on an open file, closed only after
	# pfc is gone: unload frees it and the close mark, and the close then
	# has nothing of pfc's to call.
	exec 6<$M/many/l4
	echo fd:6 >$D/attach || err "attach fd:6"
	check "pfc's files gauge with one per-open context" 1 "$(pstat files)"
	check "pfc's close marks gauge" 1 "$(pstat close_marks)"
	check_ge "contexts before rmmod" 1001 "$(pstat contexts)"
	if grep -q '^pfc_watch ' /proc/modules; then
		rmmod pfc 2>/dev/null && err "rmmod pfc succeeded with pfc_watch loaded"
		rmmod pfc_watch || err "rmmod pfc_watch failed"
		WATCH=0
	fi
	rmmod pfc || err "rmmod pfc failed"
	grep -q '^pfc ' /proc/modules && err "pfc still loaded"
	exec 5<&-
	exec 6<&-
	sync
	echo 2 >/proc/sys/vm/drop_caches
	umount $M || err "umount failed"
	insmod /scn/pfc.ko || err "insmod pfc again failed"
	check "contexts after reload" 0 "$(pstat contexts)"
	check "inserts after reload" 0 "$(pstat inserts)"
	rmmod pfc || err "second rmmod pfc failed"
	end
}

# --- the run ----------------------------------------------------------------

# A hang (an rmmod waiting forever) panics after 30 s instead of running
# into the host's time limit; the command line has hung_task_panic=1.
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
t=$(cat /proc/sys/kernel/tainted)
[ "$t" = 0 ] || say "note: kernel tainted ($t) before any module was loaded"
FS=setup
begin insmod-pfc
insmod /scn/pfc.ko || err "insmod pfc.ko failed"
[ -r $D/stats ] || err "no $D/stats"
end
if ! grep -q '^pfc ' /proc/modules; then
	say "pfc did not load: stopping"
	echo "PFC-SCN: TALLY passed=$passed failed=$failed skipped=$skipped"
	exit 1
fi
load_watch || say "note: pfc_watch did not load; open-hook scenarios skipped"

# Every scenario of the loop below, skipped on $FS.
skip_fs() {
	local s
	for s in attach-debugfs attach-open per-open-contexts rename-link unlinked-open \
		drop-caches hardlink-open-name-unlinked-last \
		hardlink-open-name-unlinked-first hardlink-both-names-open \
		hardlink-opath-name-unlinked-first rmdir-while-cwd \
		rmmod-consumer-sweeps rmmod-consumer-racing-unlinks umount \
		churn-$CHURN_N pressure lazy-umount-open-file; do
		skip $s "$1"
	done
}

for FS in $FSLIST; do
	M=/mnt/$FS
	case "$FS" in
	tmpfs) SB=tmpfs ;;
	ext4)
		SB=loop0
		load_ext4 || { skip_fs "no ext4 (modules or image missing)"; continue; }
		;;
	overlay | fuse) continue ;;
	xfs)
		SB=loop1
		load_blockfs xfs loop1 || { skip_fs "no xfs (modules or image missing)"; continue; }
		;;
	btrfs)
		SB=loop2
		load_blockfs btrfs loop2 || { skip_fs "no btrfs (modules or image missing)"; continue; }
		;;
	esac
	if ! mount_fs; then
		begin mount
		err "mount $FS failed"
		end
		continue
	fi
	run attach-debugfs scn_attach_debugfs
	run attach-open scn_attach_open
	run per-open-contexts scn_per_open
	run opened-hook scn_opened
	[ "$FS" = tmpfs ] && run per-superblock-contexts scn_per_sb
	run rename-link scn_rename_link
	[ "$FS" = btrfs ] && run subvolumes-snapshots-reflinks scn_btrfs
	run unlinked-open scn_unlinked_open
	run drop-caches scn_drop_caches
	run hardlink-open-name-unlinked-last scn_hl_open_name_last
	run hardlink-open-name-unlinked-first scn_hl_open_name_first
	run hardlink-both-names-open scn_hl_two_names_open
	run hardlink-opath-name-unlinked-first scn_hl_opath
	run rmdir-while-cwd scn_cwd_rmdir
	run rmmod-consumer-sweeps scn_consumer_sweep
	run rmmod-consumer-racing-unlinks scn_consumer_sweep_racing
	run umount scn_umount
	run churn scn_churn
	umount $M 2>/dev/null
	run pressure scn_pressure
	umount $M 2>/dev/null
	run lazy-umount-open-file scn_lazy_umount
	[ "$STRESS_SECS" -gt 0 ] && run stress-ng scn_stress_fs
done

case " $FSLIST " in
*" fuse "*)
	FS=fuse
	run contexts scn_fuse
	;;
esac
FS=overlay
case " $FSLIST " in
*" overlay "*)
	run contexts scn_overlay
	run per-open-contexts scn_per_open_overlay
	[ "$STRESS_SECS" -gt 0 ] && run stress-ng scn_stress_overlay
	;;
esac

# pfc_guard, if the stress-ng or FUSE scenarios loaded it, goes before pfc
if grep -q '^pfc_guard ' /proc/modules; then
	FS=setup
	begin rmmod-pfc_guard
	rmmod pfc_guard || err "rmmod pfc_guard failed"
	end
fi

FS=tmpfs
run tracepoints scn_tracepoints
run rmmod-pfc-last scn_rmmod_pfc

echo "PFC-SCN: TALLY passed=$passed failed=$failed skipped=$skipped"
echo "PFC-SCN: DMESG-BEGIN"
dmesg
echo "PFC-SCN: DMESG-END"
[ "$failed" = 0 ]
