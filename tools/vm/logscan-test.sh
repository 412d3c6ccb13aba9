#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks run-kunit.sh's log scan (tools/vm/logscan.awk, then run-kunit.sh's
# scan_re) on the console logs in tools/vm/logscan-tests/: a log named
# clean-*.log must give no kernel report, one named report-*.log at least
# one.  Those logs are excerpts of real guest logs, some edited to put a
# pfc frame in, or to take the fsnotify one out.  Runs with the system's
# awk (mawk on Debian), which is what make check uses.
#
# Prints PASS/FAIL per log, then RESULT logscan passed=N failed=M skipped=0.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scan_re=$(sed -n "s/^scan_re='\(.*\)'\$/\1/p" "$here/run-kunit.sh")
if [ -z "$scan_re" ]; then
	echo "FAIL setup: no scan_re in $here/run-kunit.sh"
	echo "RESULT logscan passed=0 failed=1 skipped=0"
	exit 1
fi

passed=0 failed=0
for f in "$here"/logscan-tests/*.log; do
	n=$(basename "$f" .log)
	hits=$(awk -f "$here/logscan.awk" "$f" | grep -E "$scan_re" | grep -v 'pfc-kunit:')
	case "$n" in
	clean-*) want="no kernel report" ok=$([ -z "$hits" ] && echo y) ;;
	report-*) want="a kernel report" ok=$([ -n "$hits" ] && echo y) ;;
	*) echo "FAIL $n: name it clean-*.log or report-*.log"
	   failed=$((failed + 1)); continue ;;
	esac
	if [ "$ok" = y ]; then
		echo "PASS $n"
		passed=$((passed + 1))
	else
		echo "FAIL $n: wanted $want, the scan found:"
		echo "${hits:-(nothing)}" | sed 's/^/  /'
		failed=$((failed + 1))
	fi
done
echo "RESULT logscan passed=$passed failed=$failed skipped=0"
[ "$failed" = 0 ]
