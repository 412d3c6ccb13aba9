#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A few iterations of every benchmark, so that the benchmark cannot rot.
here=$(dirname "$0")
"$here/../deps.sh" module linux-image-6.12-amd64 linux-headers-6.12-amd64 >&2 || {
	echo "RESULT bench-smoke passed=0 failed=1 skipped=0"
	exit 1
}
exec "$here/../../bench/run.sh" --smoke
