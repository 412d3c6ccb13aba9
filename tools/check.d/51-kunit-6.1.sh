#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc's KUnit suites on the 6.1 debug kernel under qemu.
exec "$(dirname "$0")/../vm/run-kunit.sh" 6.1
