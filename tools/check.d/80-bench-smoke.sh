#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A few iterations of every benchmark, so that the benchmark cannot rot.
exec "$(dirname "$0")/../../bench/run.sh" --smoke
