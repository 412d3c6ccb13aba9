#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The checks a kernel maintainer runs on a patch, run on all of pfc, each
# one counted.  `make style` runs them all; `make check` runs them too.
#
# usage: tools/style.sh [-v] [check...]
#
# checks (all by default, in this order):
#   checkpatch        scripts/checkpatch.pl --strict on every kernel C file:
#                     pfc's own, kunit/, samples/*/, bench/ (a .c file is
#                     kernel code when the Kbuild next to it builds its .o;
#                     a .h when a Kbuild is next to it)
#   checkpatch-user   the same on the user-space C (tools/, test programs),
#                     as the kernel does for its own tools/ and selftests,
#                     minus the advice that names kernel-only APIs (strscpy,
#                     ARRAY_SIZE, kstrto*, u32, negative errno returns)
#   kernel-doc        scripts/kernel-doc -none -Wall on pfc's .c and .h
#   api-doc           docs/api.rst is what tools/api-doc.sh generates
#   sparse-6.12       make C=2 against the 6.12 debug kernel build (KUnit on,
#                     so kunit/ is checked too): no warning in our files
#   sparse-6.1        the same against the 6.1 debug kernel build
#   w1-6.12           make W=1 against Debian's 6.12 headers: no warnings
#   w1-6.1            make W=1 against Debian's 6.1 headers: no warnings
#
# Zero findings pass: no error, warning or check from checkpatch, no output
# from kernel-doc, no warning from the compiler, sparse or modpost.  The one
# exception is compat.h, where checkpatch's LINUX_VERSION_CODE warning is
# ignored: keeping every version check in that one header is its purpose.
#
# Each build runs in its own copy of the working tree (tracked files and
# untracked ones git does not ignore) under a temporary directory, so no
# object file lands in the clone and parallel builds there do not clash.
# The scripts come from the 6.12 source tree that tools/build-kernel.sh
# extracts; the debug kernels come from it as well, built once and cached.
#
# Prints PASS/FAIL/SKIP per check with its findings, then
#   RESULT style passed=N failed=M skipped=K
# and exits 0 only if nothing failed.  A check skips only when a kernel it
# needs cannot be had (headers not installed and no root to install them).
#
# environment: PFC_CACHE (as tools/build-kernel.sh), PFC_JOBS (make -j,
# default nproc), PFC_KEEP=1 keeps the temporary directory.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tools=$here/tools
cache=${PFC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfc}
jobs=${PFC_JOBS:-$(nproc)}
verbose=0
if [ "${1:-}" = -v ]; then
	verbose=1
	shift
fi

all_checks="checkpatch checkpatch-user kernel-doc api-doc sparse-6.12 sparse-6.1 w1-6.12 w1-6.1"
checks=${*:-$all_checks}
for c in $checks; do
	case " $all_checks " in
	*" $c "*) ;;
	*) echo "style: unknown check '$c' (one of: $all_checks)" >&2; exit 2 ;;
	esac
done

passed=0
failed=0
skipped=0
work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-style.XXXXXX")
if [ "${PFC_KEEP:-0}" = 1 ]; then
	echo "style: keeping $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

log() { echo "style: $*" >&2; }

# result <check> <findings-file> [what was checked]: PASS if empty.
result() {
	local name=$1 findings=$2 what=${3:-}
	if [ -s "$findings" ]; then
		echo "FAIL $name: $(wc -l <"$findings") finding(s)${what:+ in $what}"
		sed 's/^/  /' "$findings"
		failed=$((failed + 1))
	else
		echo "PASS $name${what:+ ($what)}"
		passed=$((passed + 1))
	fi
}

fail() {
	echo "FAIL $1: $2"
	[ -z "${3:-}" ] || sed 's/^/  /' "$3"
	failed=$((failed + 1))
}

skip() {
	echo "SKIP $1: $2"
	skipped=$((skipped + 1))
}

# The files of the working tree, as git sees them (no build outputs).
tree_files() {
	"$tools/tree-files.sh"
}

# Is <file> kernel code?  A .c file is when the Kbuild in its directory
# builds its .o; a .h file when there is a Kbuild in its directory.
is_kernel_file() {
	local f=$1 d
	d=$(dirname "$f")
	[ -f "$here/$d/Kbuild" ] || return 1
	case "$f" in
	*.mod.c) return 1 ;;
	*.h) return 0 ;;
	esac
	grep -qw "$(basename "$f" .c)\.o" "$here/$d/Kbuild"
}

# C sources: kernel (pfc's own, kunit/, samples/*/, bench/) or user space.
c_sources() {
	local want=$1 f
	tree_files | grep -E '\.[ch]$' | while IFS= read -r f; do
		if is_kernel_file "$f"; then
			[ "$want" = kernel ] && printf '%s\n' "$f"
		else
			[ "$want" = user ] && printf '%s\n' "$f"
		fi
	done
}

pfc_sources() {
	tree_files | grep -E '^[^/]+\.[ch]$' | grep -v '\.mod\.c$'
}

# copy <dir>: the working tree into <dir>.
copy_tree() {
	mkdir -p "$1"
	# tar, not rsync: a fresh Debian (minbase) has tar only.
	tree_files | tar -C "$here" -cf - -T - | tar -C "$1" -xf -
}

src612=
# The extracted 6.12 source (for the scripts) and its debug build.
kernel_612() {
	[ -n "$src612" ] && return 0
	debug612=$("$tools/build-kernel.sh" 6.12 "$tools/kconfig/debug.config") ||
		return 1
	src612=$cache/linux-source-6.12
}

debug61=
kernel_61() {
	[ -n "$debug61" ] && return 0
	debug61=$("$tools/build-kernel.sh" 6.1 "$tools/kconfig/debug-6.1.config")
}

# headers <6.12|6.1>: Debian's headers build directory, unpacked into the
# cache by tools/stock-kernel.sh (not installed).
headers() {
	local stock
	stock=$("$tools/stock-kernel.sh" "$1") || return 1
	echo "${stock#* }/usr/src/linux-headers-${stock%% *}"
}

# Advice about kernel-only APIs, which user-space C cannot follow.
user_ignore=STRCPY,STRLCPY,STRNCPY,ARRAY_SIZE,SSCANF_TO_KSTRTO,PREFER_KERNEL_TYPES,USE_NEGATIVE_ERRNO

check_checkpatch() {
	local name=$1 list=$2 f opts n=0
	local out=$work/$name.txt
	: >"$out"
	while IFS= read -r f; do
		opts="--strict --no-tree --terse --show-types --no-summary -f"
		[ "$name" = checkpatch-user ] && opts="$opts --ignore $user_ignore"
		# The compat header is where LINUX_VERSION_CODE belongs.
		[ "$f" = compat.h ] && opts="$opts --ignore LINUX_VERSION_CODE"
		# shellcheck disable=SC2086
		(cd "$here" && "$src612/scripts/checkpatch.pl" $opts "$f") >>"$out" 2>&1
		n=$((n + 1))
	done <"$list"
	result "$name" "$out" "$n files"
}

check_kernel_doc() {
	local out=$work/kernel-doc.txt f n=0
	: >"$out"
	while IFS= read -r f; do
		(cd "$here" && "$src612/scripts/kernel-doc" -none -Wall "$f") >>"$out" 2>&1
		n=$((n + 1))
	done < <(pfc_sources)
	result kernel-doc "$out" "$n files"
}

check_api_doc() {
	local out=$work/api-doc.txt
	if "$tools/api-doc.sh" --check "$src612/scripts/kernel-doc" >"$out" 2>&1; then
		result api-doc /dev/null docs/api.rst
	else
		fail api-doc "docs/api.rst is out of date: run tools/api-doc.sh" "$out"
	fi
}

# build <name> <kdir> <make args...>: build a copy of the tree against
# <kdir>; findings are the compiler, sparse and modpost diagnostics.
build() {
	local name=$1 kdir=$2
	shift 2
	local dir=$work/$name out=$work/$name.log findings=$work/$name.txt rc
	copy_tree "$dir"
	log "$name: make -C $kdir M=<copy> $* modules"
	nice make -C "$kdir" M="$dir" -j"$jobs" "$@" modules >"$out" 2>&1
	rc=$?
	[ "$verbose" = 0 ] || cat "$out" >&2
	# Diagnostics in our files (named by their path in the copy) and
	# modpost's about our modules; not those inside kernel headers.
	grep -E '(warning|error|WARNING|ERROR):' "$out" |
		grep -E "^$dir/|modpost" |
		sed "s|$dir/||g" >"$findings"
	if [ "$rc" != 0 ]; then
		fail "$name" "build failed (make exit $rc)" "$findings"
		[ -s "$findings" ] || tail -20 "$out" | sed 's/^/  /'
		return
	fi
	result "$name" "$findings" "$(grep -c '^  CC \[M\]' "$out") objects"
}

run_check() {
	local c=$1 kdir
	case "$c" in
	checkpatch)
		c_sources kernel >"$work/$c.list"
		check_checkpatch "$c" "$work/$c.list" ;;
	checkpatch-user)
		c_sources user >"$work/$c.list"
		if [ -s "$work/$c.list" ]; then
			check_checkpatch "$c" "$work/$c.list"
		else
			skip "$c" "no user-space C files"
		fi ;;
	kernel-doc)
		check_kernel_doc ;;
	api-doc)
		check_api_doc ;;
	sparse-6.12)
		"$tools/deps.sh" style >&2 || { fail "$c" "sparse is not installed"; return; }
		build "$c" "$debug612" C=2 ;;
	sparse-6.1)
		"$tools/deps.sh" style >&2 || { fail "$c" "sparse is not installed"; return; }
		if ! kernel_61; then
			fail "$c" "could not build the 6.1 debug kernel (tools/build-kernel.sh 6.1 tools/kconfig/debug-6.1.config)"
			return
		fi
		build "$c" "$debug61" C=2 ;;
	w1-6.12 | w1-6.1)
		if ! kdir=$(headers "${c#w1-}"); then
			skip "$c" "no Debian ${c#w1-} headers and cannot install them"
			return
		fi
		build "$c" "$kdir" W=1 ;;
	esac
}

"$tools/deps.sh" style >&2 || log "sparse/perl missing: the checks that need them will fail"
if ! kernel_612; then
	echo "FAIL setup: tools/build-kernel.sh 6.12 tools/kconfig/debug.config failed"
	echo "RESULT style passed=0 failed=1 skipped=0"
	exit 1
fi
for c in $checks; do
	run_check "$c"
done
echo "RESULT style passed=$passed failed=$failed skipped=$skipped"
[ "$failed" = 0 ]
