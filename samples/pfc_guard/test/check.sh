# SPDX-License-Identifier: GPL-2.0
#
# pfc_guard checks, run in the guest after lib.sh (see tools/demo.sh
# --check).  One "ok - NAME" or "not ok - NAME" per check, then
# "RESULT guard-<kernel> passed=N failed=M skipped=0"; exits non-zero on a
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

t_load() {
	mkdir -p $T && mount -t tmpfs tmpfs $T &&
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

t_umount_frees() {
	mkdir -p /mnt/u && mount -t tmpfs tmpfs /mnt/u && echo /mnt/u >$G/watch || return 1
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
check no-stale-allow-under-race t_no_stale_allow_race
check hard-link-and-rename-share-verdict t_same_inode
check umount-frees-contexts t_umount_frees
check drop-caches-frees-contexts t_drop_caches_frees
cat $G/stats 2>/dev/null | sed 's/^/  # /'
check unload-pfc_guard-clean t_unload_guard
check unload-pfc-with-live-entries t_unload_pfc

echo "RESULT guard-$(uname -r | cut -d. -f1,2) passed=$pass failed=$fail skipped=0"
[ $fail = 0 ]
