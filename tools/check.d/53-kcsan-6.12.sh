#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hardening suites (race torture, allocation failure, misuse), and the
# race suite where there is one, on the 6.12 KCSAN kernel
# (tools/kconfig/kcsan-6.12.config, no KASAN): any "BUG: KCSAN:" data-race
# report in the console fails the run, like every other kernel report.
repo=$(cd "$(dirname "$0")/../.." && pwd)
mods=kunit/hardening/pfc_hardening_kunit.ko
[ -f "${PFC_SRC:-$repo}/kunit/pfc_race_kunit.c" ] && mods="$mods kunit/pfc_race_kunit.ko"
export PFC_KUNIT_CONFIG=tools/kconfig/kcsan-6.12.config
export PFC_KUNIT_NAME=kcsan-6.12
export PFC_KUNIT_MODULES="$mods"
exec "$repo/tools/vm/run-kunit.sh" 6.12
