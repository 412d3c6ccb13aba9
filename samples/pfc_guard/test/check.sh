# SPDX-License-Identifier: GPL-2.0
#
# pfc_guard checks, run in the guest after lib.sh (see tools/demo.sh
# --check).  One "ok - NAME" or "not ok - NAME" per check, then
# "RESULT guard-[rt-]<series> passed=N failed=M skipped=0"; exits non-zero on a
# failure.

T=/mnt/t
A=content-AAAA	# allowed content
B=content-BBBB	# denied content, same length as $A
DA=$(digest_of "$A")
DB=$(digest_of "$B")
pass=0
fail=0
# A hang shows its stack within the time limit of the run.
echo 20 >/proc/sys/kernel/hung_task_timeout_secs

check() {
	name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fail=$((fail + 1))
		echo "not ok - $name"
	fi
}

# guardt open FILE must print $2.
opens_as() {
	got=$(guardt open "$1" $3)
	[ "$got" = "$2" ] || { echo "  open $1 $3: $got, expected $2"; return 1; }
}

# Counter $1 must have moved by exactly $3 since value $2.
moved() {
	now=$(gstat "$1")
	[ "$now" = $(($2 + $3)) ] || { echo "  $1: $2 -> $now, expected +$3"; return 1; }
}

# A file with content $2, opened once so that its verdict is cached.
cached_file() {
	printf '%s' "$2" >"$1" && guardt open "$1" >/dev/null && guardt open "$1" >/dev/null
}

SERIES=$(uname -r | cut -d. -f1,2)

# $T is a tmpfs, except on 6.1, where pfc_guard caches no verdict on tmpfs
# (guard.c, RACES 3): there the cache checks run on ext4 (which keeps
# i_version on 6.1.192 as on 6.12).
t_load() {
	mkdir -p $T || return 1
	case $SERIES in
	6.1)
		for m in crc16 mbcache jbd2 crc32c_generic loop ext4; do
			insmod "/modules/$m.ko" 2>/dev/null
		done
		mount -t ext4 -o loop /t.img $T
		;;
	*) mount -t tmpfs tmpfs $T ;;
	esac &&
		insmod /pfc.ko && insmod /pfc_guard.ko watch=$T &&
		[ "$(gstat watches)" = 1 ]
}

t_deny_by_hash() {
	printf '%s' "$B" >$T/b && printf '%s' "$A" >$T/a &&
		opens_as $T/b ok &&
		echo "$DB" >$G/deny && grep -qx "$DB" $G/deny &&
		opens_as $T/b EACCES && opens_as $T/b EACCES w &&
		opens_as $T/a ok && ! cat $T/b 2>/dev/null
}

t_cache_hit() {
	cached_file $T/h "hit me" || return 1
	h=$(gstat hashes) hits=$(gstat hits) d=$(gstat denials)
	opens_as $T/h ok && opens_as $T/h ok && opens_as $T/b EACCES &&
		moved hashes "$h" 0 && moved hits "$hits" 3 && moved denials "$d" 1
}

t_invalidate_on_write() {
	cached_file $T/w "before" || return 1
	h=$(gstat hashes)
	echo " after" >>$T/w && opens_as $T/w ok && moved hashes "$h" 1 &&
		opens_as $T/w ok && moved hashes "$h" 1
}

t_invalidate_on_deny_change() {
	C=content-CCCC
	cached_file $T/c "$C" || return 1
	h=$(gstat hashes) r=$(gstat revalidations)
	echo "+$(digest_of "$C")" >$G/deny && opens_as $T/c EACCES &&
		moved revalidations "$r" 1 &&
		echo "-$(digest_of "$C")" >$G/deny && opens_as $T/c ok &&
		echo clear >$G/deny && [ "$(gstat digests)" = 0 ] &&
		opens_as $T/b ok && echo "$DB" >$G/deny && opens_as $T/b EACCES &&
		moved hashes "$h" 0
}

t_no_stale_allow_write() {
	cached_file $T/s "$A" && printf '%s' "$B" >$T/s && opens_as $T/s EACCES
}

t_no_stale_allow_mmap() {
	cached_file $T/m "$A" || return 1
	m0=$(stat -c %Y.%Z $T/m)
	guardt mmapw $T/m "$B" >/dev/null && opens_as $T/m EACCES &&
		echo "  (mtime.ctime $m0 -> $(stat -c %Y.%Z $T/m): a shared-mapping store on tmpfs)"
}

# At the last writer's close the close hook hashes the content again and
# caches the verdict: the next open is a hit, not a hash.  While another
# writer is open, a close re-verifies nothing.
t_fresh_after_close() {
	cached_file $T/fc "$A" || return 1
	cc=$(gstat close_checks) cb=$(gstat close_busy)
	exec 5>>$T/fc
	printf '%s' "$B" >$T/fc
	if ! moved close_busy "$cb" 1 || ! moved close_checks "$cc" 0; then
		exec 5>&-
		return 1
	fi
	h=$(gstat hashes) hits=$(gstat hits)
	exec 5>&-
	moved close_checks "$cc" 1 && moved hashes "$h" 1 &&
		opens_as $T/fc EACCES && moved hits "$hits" 1 && moved hashes "$h" 1
}

# On ext4, each write-open the guard saw carries a per-open record.  An
# O_RDWR open that wrote nothing is re-hashed at its last close all the
# same (not every change moves the indicators, see t_move_ext) and keeps
# the next open a cache hit; one that stores through a mapping is counted
# as a close whose indicators moved, found denied there, and the log
# names the last writer to close.
t_close_records() {
	f=/mnt/c/cc
	mount_ext4 /mnt/c && echo /mnt/c >$G/watch || return 1
	if ! cached_file $f "$A"; then
		umount /mnt/c
		return 1
	fi
	h=$(gstat hashes) ck=$(gstat close_checks) r=$(gstat open_records)
	w=$(gstat close_wrote) d=$(gstat close_denied) hits=$(gstat hits)
	opens_as $f ok w && moved open_records "$r" 1 && moved close_wrote "$w" 0 &&
		moved close_checks "$ck" 1 && moved hashes "$h" 1 &&
		opens_as $f ok && moved hits "$hits" 2 && moved hashes "$h" 1 &&
		guardt mmapw $f "$B" && moved close_wrote "$w" 1 &&
		moved close_checks "$ck" 2 && moved close_denied "$d" 1 &&
		moved hashes "$h" 2 && opens_as $f EACCES && moved hashes "$h" 2 &&
		dmesg | grep -q "content now on the deny list; last writer to close: guardt\[" &&
		[ "$(gstat open_record_contexts)" = 0 ]
	rc=$?
	rm -f $f
	umount /mnt/c
	return $rc
}

# EXT4_IOC_MOVE_EXT, which needs no more than write access to both files,
# turns the donor's range into zeros without moving its i_version, times
# or size.  X is the denied content D with junk where D has zeros: allowed
# and cached; moving the junk out makes X exactly D, which the donor's
# last close must find (found in review: a close that trusted unmoved
# indicators republished X's "allowed").
t_move_ext() {
	mount_ext4 /mnt/c && echo /mnt/c >$G/watch || return 1
	head -c 4096 /dev/zero | tr '\0' B >/tmp/D && head -c 4096 /dev/zero >>/tmp/D &&
		head -c 4096 /dev/zero | tr '\0' B >/tmp/X &&
		head -c 4096 /dev/zero | tr '\0' J >>/tmp/X &&
		head -c 8192 /dev/zero | tr '\0' Y >/mnt/c/y && cp /tmp/X /mnt/c/x && sync &&
		echo "+$(sha256sum </tmp/D | cut -c1-64)" >$G/deny &&
		opens_as /mnt/c/x ok && opens_as /mnt/c/x ok &&
		guardt moveext /mnt/c/x /mnt/c/y 4096 4096 >/dev/null &&
		opens_as /mnt/c/x EACCES
	rc=$?
	echo "-$(sha256sum </tmp/D | cut -c1-64)" >$G/deny
	rm -f /mnt/c/x /mnt/c/y
	umount /mnt/c
	return $rc
}

t_no_stale_allow_truncate() {
	P1=prefix-part
	echo "+$(digest_of "$P1")" >$G/deny || return 1
	cached_file $T/t "${P1}-and-tail" && guardt truncate $T/t ${#P1} >/dev/null &&
		opens_as $T/t EACCES
	rc=$?
	echo "-$(digest_of "$P1")" >$G/deny
	return $rc
}

# A writer flips the content between two allowed texts, $A and $C, many
# times and ends on the denied $B, while two readers keep opening the file
# (hashing it, or hitting the cache): whatever they cached meanwhile, the
# final content must be denied.  "reopen-mmap" is the case only the
# write-open hook catches: on tmpfs a store through a mapping moves neither
# mtime nor i_version.
t_no_stale_allow_race() {
	C=content-CCCC
	for mode in write mmap reopen-write reopen-mmap; do
		rm -f $T/r
		cached_file $T/r "$A" || return 1
		guardt opens $T/r 300 >/tmp/r1 & p1=$!
		guardt opens $T/r 300 >/tmp/r2 & p2=$!
		guardt flip $T/r "$A" "$C" "$B" 200 $mode >/tmp/w
		wrc=$?
		wait $p1 $p2
		echo "  $mode: writer $(cat /tmp/w), readers $(cat /tmp/r1) / $(cat /tmp/r2)"
		[ $wrc = 0 ] && opens_as $T/r EACCES && opens_as $T/r EACCES || return 1
	done
	echo "  verdicts not cached because of writers or changes: $(gstat uncached)"
}

# Other names of the same inode share its context (a link moves ctime,
# so the verdict may be recomputed, but no second context appears).
t_same_inode() {
	c=$(gstat contexts)
	ln $T/b $T/b2 && mv $T/b2 $T/b3 && opens_as $T/b3 EACCES &&
		opens_as $T/b EACCES && [ "$(gstat contexts)" = "$c" ]
}

# --- overlayfs -------------------------------------------------------------
# Each case mounts its own tmpfs (lower/, upper/, work/ on one superblock)
# and an overlay on it at /mnt/NAME, with the files named in $2 made in
# lower/ first: l-b with denied content, the others (l-a, l-c, ...) with
# allowed content.  $3 says what pfc_guard watches: "real",
# "overlay" or "both".
ov_mount() {
	r=/mnt/$1-real o=/mnt/$1
	mkdir -p $r $o && mount -t tmpfs tmpfs $r &&
		mkdir $r/lower $r/upper $r/work || return 1
	for f in $2; do
		case $f in
		l-b) printf '%s' "$B" >$r/lower/$f ;;
		*) printf '%s' "$A" >$r/lower/$f ;;
		esac
	done
	grep -q '^overlay ' /proc/modules || insmod /modules/overlay.ko || return 1
	mount -t overlay overlay -o lowerdir=$r/lower,upperdir=$r/upper,workdir=$r/work $o ||
		return 1
	case $3 in
	real) echo $r >$G/watch ;;
	overlay) echo $o >$G/watch ;;
	both) echo $r >$G/watch && echo $o >$G/watch ;;
	esac
}

# Open $1 twice, so that its verdict is cached, without writing it (which
# would copy a lower file up).
opened_twice() {
	guardt open "$1" >/dev/null && guardt open "$1" >/dev/null
}

# Hook calls pfc_guard sees for one read-only open of $1.
hook_calls() {
	n=$(gstat opens)
	guardt open "$1" >/dev/null
	echo $(($(gstat opens) - n))
}

# Watching the overlay and the file system under it: the rule that holds on
# both kernels.  Deny through the overlay, copy-up, writes through the
# overlay, through the lower and the upper directory, and the mapping that
# outlives its descriptor (a shared writable mapping of an overlay file
# maps the real file: only the real inode's i_writecount shows it).
t_ovl_both() {
	OVC0=$(gstat contexts)
	ov_mount ovb "l-a l-b l-c l-m l-l l-u l-v" both || return 1
	grep -qx "$DB" $G/deny || echo "+$DB" >$G/deny
	echo "  $SERIES, watching both: $(hook_calls $o/l-a) hook calls per open through the overlay"
	opens_as $o/l-b EACCES && opens_as $o/l-a ok && opens_as $o/l-a ok || return 1
	# copy-up by an open for write through the overlay
	cached_file $o/l-c "$A" && printf '%s' "$B" >$o/l-c && [ -f $r/upper/l-c ] &&
		opens_as $o/l-c EACCES || { echo "  copy-up"; return 1; }
	# the mapping that outlives its descriptor: R1 allowed (content A),
	# R2 and R3 denied (content B), whatever R1 cached
	opened_twice $o/l-m || return 1
	got=$(guardt mapped $o/l-m "$B")
	[ "$got" = "ok EACCES EACCES" ] || { echo "  mapped: $got, expected ok EACCES EACCES"; return 1; }
	# a write to the lower file behind the overlay's back
	opened_twice $o/l-l && [ ! -f $r/upper/l-l ] && printf '%s' "$B" >$r/lower/l-l &&
		opens_as $o/l-l EACCES || { echo "  write to lower/"; return 1; }
	# a write to the upper file behind the overlay's back
	cached_file $o/l-u "$A" && touch $o/l-u && [ -f $r/upper/l-u ] &&
		cached_file $o/l-u "$A" && printf '%s' "$B" >$r/upper/l-u &&
		opens_as $o/l-u EACCES || { echo "  write to upper/"; return 1; }
	# and through a mapping of the upper file, made outside the overlay
	touch $o/l-v && [ -f $r/upper/l-v ] && opened_twice $o/l-v &&
		guardt mmapw $r/upper/l-v "$B" >/dev/null &&
		opens_as $o/l-v EACCES || { echo "  mmap of upper/"; return 1; }
}

# Watching only the overlay: denial and the mapping case still hold.
t_ovl_overlay_only() {
	ov_mount ovo "l-a l-b l-m" overlay || return 1
	echo "  $SERIES, watching the overlay: $(hook_calls $o/l-a) hook calls per open through the overlay"
	opens_as $o/l-b EACCES && opened_twice $o/l-m || return 1
	got=$(guardt mapped $o/l-m "$B")
	[ "$got" = "ok EACCES EACCES" ] || { echo "  mapped: $got, expected ok EACCES EACCES"; return 1; }
}

# Watching only the file system under the overlay: on 6.12 every open
# through the overlay opens the real file as a backing file there, which
# the hook sees; on 6.1 overlayfs opens the real file with the overlay's
# path, so the event goes to the overlay's superblock and a hook on the
# real one sees nothing (README: watch the overlay too on 6.1).
t_ovl_real_only() {
	ov_mount ovr "l-a l-b l-m" real || return 1
	calls=$(hook_calls $o/l-a)
	echo "  $SERIES, watching the real file system: $calls hook calls per open through the overlay"
	case $SERIES in
	6.1)
		[ "$calls" = 0 ] && opens_as $o/l-b ok && opens_as $r/lower/l-b EACCES
		;;
	*)
		[ "$calls" = 1 ] && opens_as $o/l-b EACCES && opened_twice $o/l-m &&
			got=$(guardt mapped $o/l-m "$B") &&
			{ [ "$got" = "ok EACCES EACCES" ] || { echo "  mapped: $got"; false; }; }
		;;
	esac
}

# Unmounting the overlays and then their file systems frees every context.
t_ovl_umount() {
	for n in ovb ovo ovr; do
		umount /mnt/$n || return 1
	done
	for n in ovb ovo ovr; do
		umount /mnt/$n-real || return 1
	done
	wait_contexts "$OVC0"
}

# Files larger than max_size are denied without being hashed to the end;
# the hook's time inside fsnotify's SRCU section stays bounded.
t_max_size() {
	MS=/sys/module/pfc_guard/parameters/max_size
	old=$(cat $MS) tb=$(gstat too_big)
	printf '0123456789abcdef' >$T/big16 && printf '0123456789abcdefX' >$T/big17 &&
		echo 16 >$MS && opens_as $T/big16 ok && opens_as $T/big17 EACCES &&
		moved too_big "$tb" 1
	rc=$?
	echo "$old" >$MS
	[ $rc = 0 ] && opens_as $T/big17 ok
}

# On a file system not known to see every change of its files (ramfs here;
# FUSE and network file systems in the field; tmpfs on 6.1) no verdict is
# cached: every open hashes.
t_no_cache_elsewhere() {
	mkdir -p /mnt/ram && mount -t ramfs ramfs /mnt/ram && echo /mnt/ram >$G/watch &&
		printf '%s' "$A" >/mnt/ram/a && printf '%s' "$B" >/mnt/ram/b || return 1
	h=$(gstat hashes) c=$(gstat contexts)
	opens_as /mnt/ram/a ok && opens_as /mnt/ram/a ok && opens_as /mnt/ram/b EACCES &&
		moved hashes "$h" 3 && [ "$(gstat contexts)" = "$c" ] && umount /mnt/ram || return 1
	# 6.1: not on tmpfs either (guard.c, RACES 3)
	[ "$SERIES" = 6.1 ] || return 0
	mkdir -p /mnt/tn && mount -t tmpfs tmpfs /mnt/tn && echo /mnt/tn >$G/watch &&
		printf '%s' "$A" >/mnt/tn/a || return 1
	h=$(gstat hashes)
	opens_as /mnt/tn/a ok && opens_as /mnt/tn/a ok && moved hashes "$h" 2 && umount /mnt/tn
}

t_umount_frees() {
	mkdir -p /mnt/u || return 1
	# 6.1 caches nothing on tmpfs: use the ext4 image there
	case $SERIES in
	6.1) mount -t ext4 -o loop /ext4.img /mnt/u ;;
	*) mount -t tmpfs tmpfs /mnt/u ;;
	esac && echo /mnt/u >$G/watch || return 1
	c=$(gstat contexts)
	for f in 1 2 3; do
		echo $f >/mnt/u/$f && guardt open /mnt/u/$f >/dev/null
	done
	[ "$(gstat contexts)" = $((c + 3)) ] || { echo "  contexts $c -> $(gstat contexts)"; return 1; }
	umount /mnt/u && wait_contexts "$c"
}

t_drop_caches_frees() {
	mount_ext4 /mnt/e && echo /mnt/e >$G/watch || return 1
	c=$(gstat contexts)
	cat /mnt/e/*.txt >/dev/null && [ "$(gstat contexts)" -gt "$c" ] &&
		printf '%s' "$B" >/mnt/e/new && opens_as /mnt/e/new EACCES &&
		sync && echo 3 >/proc/sys/vm/drop_caches && wait_contexts "$c" &&
		umount /mnt/e
}

# pfc_guard's exit sweeps its contexts; the tmpfs stays mounted, so pfc
# is unloaded with live entries (inodes that carried contexts).
t_unload_guard() {
	rmmod_or_hang pfc_guard && [ ! -e $G ] && [ "$(pstat contexts)" = 0 ] &&
		opens_as $T/b3 ok
}

t_unload_pfc() {
	echo "  pfc entries left at unload: $(pstat inodes)"
	rmmod_or_hang pfc && kernel_clean
}

check load t_load
check deny-by-hash t_deny_by_hash
check cache-hit t_cache_hit
check invalidate-on-write t_invalidate_on_write
check invalidate-on-deny-list-change t_invalidate_on_deny_change
check no-stale-allow-after-write t_no_stale_allow_write
check no-stale-allow-after-mmap-store t_no_stale_allow_mmap
check no-stale-allow-after-truncate t_no_stale_allow_truncate
check fresh-verdict-after-last-close t_fresh_after_close
check close-records t_close_records
check move-ext-changes-content-unseen t_move_ext
check no-stale-allow-under-race t_no_stale_allow_race
check hard-link-and-rename-share-verdict t_same_inode
check overlay-watch-both t_ovl_both
check overlay-watch-overlay-only t_ovl_overlay_only
check overlay-watch-real-only t_ovl_real_only
check overlay-umount-frees-contexts t_ovl_umount
check max-size-denies-larger-files t_max_size
check no-cache-on-other-file-systems t_no_cache_elsewhere
check umount-frees-contexts t_umount_frees
check drop-caches-frees-contexts t_drop_caches_frees
cat $G/stats 2>/dev/null | sed 's/^/  # /'
check unload-pfc_guard-clean t_unload_guard
check unload-pfc-with-live-entries t_unload_pfc

case $(uname -r) in
*-rt-*) suite=guard-rt-$SERIES ;;
*) suite=guard-$SERIES ;;
esac
echo "RESULT $suite passed=$pass failed=$fail skipped=0"
[ $fail = 0 ]
