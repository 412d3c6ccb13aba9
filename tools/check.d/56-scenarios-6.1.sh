#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.1 kernel (unpacked into the cache, not
# installed): the same user-space scenarios.
exec "$(dirname "$0")/../run-scenarios.sh" -k 6.1
