#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: run every test suite and add up their results.
#
# A suite is an executable tools/check.d/*.sh; they run in name order (use
# a numeric prefix: 10-style.sh, 50-kunit-6.12.sh, ...).  Registering a new
# suite means adding one such file; nothing here changes.  A suite prints,
# on stdout, one or more lines
#
#   RESULT <name> passed=<n> failed=<n> skipped=<n>
#
# and exits non-zero when anything failed.  A suite that exits without a
# RESULT line counts as one failure, and so does one that exits non-zero
# while reporting failed=0.  The last line of this script's output is
#
#   <N> passed, <N> failed[, <N> skipped]      (skipped only when > 0)
#
# and its exit status is non-zero when anything failed.
#
# One more test is the run's own: no suite may install a kernel on this
# machine or touch its boot path.  What /boot and /lib/modules hold, and
# which linux-image packages are installed, are compared before and after.
#
# environment:
#   PFC_CHECK_ONLY=PATTERN   run only the suites whose file name matches
#                            the shell glob PATTERN (e.g. '*kunit*')
#   PFC_CHECK_D=DIR          take the suites from DIR instead of tools/check.d
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

only=${PFC_CHECK_ONLY:-*}
dir=${PFC_CHECK_D:-$here/check.d}
passed=0 failed=0 skipped=0
summary=()
out=$(mktemp "${TMPDIR:-/tmp}/pfc-check.XXXXXX")
trap 'rm -f "$out"' EXIT

shopt -s nullglob
suites=()
for s in "$dir"/*.sh; do
	# shellcheck disable=SC2053
	[[ -x "$s" && $(basename "$s") == $only ]] && suites+=("$s")
done
if [ ${#suites[@]} = 0 ]; then
	echo "check: no executable suites in $dir matching '$only'" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# host_state: what a kernel installed on this machine would change.
host_state() {
	ls -A /boot /lib/modules 2>/dev/null
	dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-*' 2>/dev/null |
		grep ' installed$' || true
}
host_before=$(host_state)

for s in "${suites[@]}"; do
	n=$(basename "$s" .sh)
	echo "==== $n"
	t0=$(date +%s)
	"$s" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - t0 ))
	results=$(grep -E '^RESULT [^ ]+ passed=[0-9]+ failed=[0-9]+ skipped=[0-9]+$' "$out")
	if [ -z "$results" ]; then
		summary+=("$n: crashed without a RESULT line (exit $rc, ${secs}s)")
		failed=$((failed + 1))
		continue
	fi
	sf=0
	while read -r _ name p f k; do
		p=${p#passed=} f=${f#failed=} k=${k#skipped=}
		passed=$((passed + p)) sf=$((sf + f)) skipped=$((skipped + k))
		summary+=("$name: passed=$p failed=$f skipped=$k (${secs}s)")
	done <<<"$results"
	if [ "$rc" != 0 ] && [ "$sf" = 0 ]; then
		summary+=("$n: exit status $rc although it reported no failure")
		sf=1
	fi
	failed=$((failed + sf))
done

echo "==== host"
host_diff=$(diff <(echo "$host_before") <(host_state))
if [ -z "$host_diff" ]; then
	echo "PASS host-untouched: /boot, /lib/modules and the linux-image packages are as before"
	passed=$((passed + 1))
	summary+=("host: passed=1 failed=0 skipped=0")
else
	echo "FAIL host-untouched: a suite changed this machine's boot path:"
	echo "$host_diff" | sed 's/^/  /'
	failed=$((failed + 1))
	summary+=("host: passed=0 failed=1 skipped=0")
fi

echo "==== summary"
printf '%s\n' "${summary[@]}"
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" = 0 ]
