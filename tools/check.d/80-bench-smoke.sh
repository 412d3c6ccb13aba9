#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A few iterations of every benchmark, so that the benchmark cannot rot.
# bench/run.sh takes Debian's 6.12 kernel from tools/stock-kernel.sh.
exec "$(dirname "$0")/../../bench/run.sh" --smoke
