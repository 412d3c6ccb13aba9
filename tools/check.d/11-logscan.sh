#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The filter in front of the KUnit runs' log scan, on saved console logs:
# kernel reports that are not pfc's are skipped, every other one is kept.
exec "$(dirname "$0")/../vm/logscan-test.sh"
