# SPDX-License-Identifier: GPL-2.0
#
# The pfc_guard demo session, run in the guest after lib.sh (see
# tools/demo.sh).  Every command is shown with its output; each step checks
# that it behaved as shown, and the script exits non-zero if one did not.

T=/mnt/tmp
TOOL='echo hello from tool.sh'
bad=0

step() { printf '\n== %s ==\n' "$*"; }
say() { echo "   $*"; }
# Show a command and its output, indented; return its status.
run() {
	echo "# $*"
	eval "$*" >/tmp/run.out 2>&1
	rc=$?
	sed 's/^/    /' /tmp/run.out
	return $rc
}
# expect WHAT CONDITION...: complain (and fail the demo) if it is false.
expect() {
	what=$1
	shift
	if ! eval "$*"; then
		echo "!! NOT AS EXPECTED: $what"
		bad=1
	fi
}
# The lines of pfcstat's table for these counters.
stats() {
	pfcstat >/tmp/stats.out
	for k in "$@"; do
		grep -E "^  $k  " /tmp/stats.out
	done
}

step "Load pfc and pfc_guard, watching a tmpfs"
run "mkdir -p $T && mount -t tmpfs tmpfs $T"
run "insmod /pfc.ko"
run "insmod /pfc_guard.ko watch=$T"
expect "pfc_guard is loaded" "[ -d $G ]"
run "ls $G"

step "1. A file on tmpfs is allowed"
run "echo '$TOOL' > $T/tool.sh"
run "cat $T/tool.sh"
expect "cat is allowed" "[ \$rc = 0 ]"
run "sh $T/tool.sh"
run "sha256sum $T/tool.sh"
D=$(cut -c1-64 /tmp/run.out)
say "(the first open hashed the file; the next ones found the verdict cached)"

step "2. Its digest goes on the deny list"
run "echo $D > $G/deny"
run "cat $G/deny"
expect "the digest is listed" "grep -qx $D /tmp/run.out"

step "3. The same file is now denied: EACCES"
run "cat $T/tool.sh"
expect "cat is denied" "[ \$rc != 0 ] && grep -q 'Permission denied' /tmp/run.out"
run "sh $T/tool.sh"
expect "sh is denied" "grep -q 'Permission denied' /tmp/run.out"
run "ln $T/tool.sh $T/other-name.sh && cat $T/other-name.sh"
expect "a hard link (same inode) is denied" "grep -q 'Permission denied' /tmp/run.out"
run "guardt open $T/tool.sh"
expect "open(2) fails with EACCES" "grep -qx EACCES /tmp/run.out"

step "4. Opening it again costs a lookup, not a hash"
h0=$(gstat hashes)
hits0=$(gstat hits)
run "cat $T/tool.sh; cat $T/tool.sh; cat $T/tool.sh"
run "pfcstat"
say "Three more opens, three more cache hits and no hashing.  The deny-list"
say "change itself cost no hashing either: the cached digest was checked"
say "against the new list (verdicts redone).  The hard link changed the"
say "inode's ctime, so that open hashed the file again (verdicts stale)."
expect "no file was hashed again" "[ $(gstat hashes) = $h0 ]"
expect "three cache hits" "[ $(gstat hits) = $((hits0 + 3)) ]"

step "5. A modified file is hashed again"
run "echo 'my notes' > $T/notes.txt && cat $T/notes.txt"
expect "notes.txt is allowed" "[ \$rc = 0 ]"
h1=$(gstat hashes)
run "echo '$TOOL' > $T/notes.txt"
say "notes.txt now holds the denied content:"
run "cat $T/notes.txt"
expect "the modified file is denied" "grep -q 'Permission denied' /tmp/run.out"
expect "it was hashed again" "[ $(gstat hashes) = $((h1 + 1)) ]"
say "A store through a shared mapping does not even move mtime on tmpfs:"
run "echo 'echo HELLO from tool.sh' > $T/mapped.sh && cat $T/mapped.sh"
run "guardt mmapw $T/mapped.sh 'echo hello'"
run "cat $T/mapped.sh"
expect "the file changed through mmap is denied" "grep -q 'Permission denied' /tmp/run.out"
run "stats 'files hashed' 'verdict cache hits' 'verdict cache misses' 'opens denied.*' 'opens for write'"

step "6. Contexts go with their inodes: drop_caches (ext4)"
run "mount_ext4 /mnt/ext4 && echo /mnt/ext4 > $G/watch"
expect "ext4 is mounted and watched" "[ \$rc = 0 ]"
run "wc -l /mnt/ext4/*.txt"
run "pfcstat -l"
n_ext4=$(grep -c '^loop' /tmp/run.out)
expect "the ext4 files have contexts" "[ $n_ext4 -gt 0 ]"
run "sync; echo 3 > /proc/sys/vm/drop_caches"
wait_contexts $(($(gstat contexts) - n_ext4))
run "pfcstat -l"
expect "drop_caches freed the ext4 contexts" "! grep -q '^loop' /tmp/run.out"
expect "the tmpfs ones are still there" "grep -q '^tmpfs' /tmp/run.out"

step "7. ... and umount"
run "umount $T; umount /mnt/ext4"
wait_contexts 0
run "pfcstat -l"
expect "umount freed every context" "grep -qx '(0 contexts)' /tmp/run.out"

step "8. Clean unload"
for m in pfc_guard pfc; do
	echo "# rmmod $m"
	rmmod_or_hang $m
done
expect "both modules unloaded" "! grep -qE '^pfc(_guard)? ' /proc/modules"
run "dmesg | grep -E 'WARNING|BUG|Oops|Call Trace' || echo '(no warnings)'"
run "cat /proc/sys/kernel/tainted"
say "(4096 + 8192: an out-of-tree, unsigned module was loaded; nothing else)"
expect "the kernel log is clean" "kernel_clean >/dev/null"

echo
if [ $bad = 0 ]; then
	echo "DEMO OK: every step behaved as shown"
else
	echo "DEMO FAILED: some step did not behave as shown (see '!!' above)"
fi
exit $bad
