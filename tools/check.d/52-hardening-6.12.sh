#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hardening suites (race torture, allocation failure, misuse) on the
# 6.12 debug kernel, in a boot of their own.
export PFC_KUNIT_MODULES=kunit/hardening/pfc_hardening_kunit.ko
export PFC_KUNIT_NAME=hardening-6.12
exec "$(dirname "$0")/../vm/run-kunit.sh" 6.12
