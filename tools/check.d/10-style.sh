#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# checkpatch, kernel-doc, API doc, sparse and W=1 on 6.12 and 6.1.
exec "$(dirname "$0")/../style.sh"
