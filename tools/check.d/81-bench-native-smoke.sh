#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A few iterations of every benchmark natively, in User-Mode Linux, so that
# bench/native.sh cannot rot.  The UML kernel is built once and cached
# (tools/uml/build-uml.sh).
exec "$(dirname "$0")/../../bench/native.sh" --smoke
