#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hardening suites (race torture, allocation failure, misuse) on the
# 6.12 debug kernel, in a boot of their own; then a consumer module loaded
# and unloaded in a loop while lookups hammer its files (churn.sh).
export PFC_KUNIT_MODULES=kunit/hardening/pfc_hardening_kunit.ko
export PFC_KUNIT_NAME=hardening-6.12
export PFC_KUNIT_AFTER="kunit/hardening/churn.sh kunit/hardening/unload-umount.sh"
export PFC_KUNIT_AFTER_FILES="kunit/hardening/pfc_hardening_kunit.ko kunit/hardening/pfc_hardening_consumer.ko"
exec "$(dirname "$0")/../vm/run-kunit.sh" 6.12
