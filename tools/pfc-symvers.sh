#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Write pfc's exports, from the Module.symvers of a build in the current
# directory, to DIR/Module.symvers (module column "pfc"), for consumers
# built against an installed pfc (samples/out-of-tree/Makefile).  Used by
# `make install` (DIR = /usr/src/pfc-<version>/<kernel>) and as DKMS's
# POST_BUILD (dkms.conf; DIR = DKMS's per-kernel directory, as other DKMS
# packages that export symbols do; DKMS runs it in its build directory,
# before `make clean`).
#
# usage: tools/pfc-symvers.sh DIR
set -e
dest=${1:?usage: pfc-symvers.sh DIR}
mkdir -p "$dest"
awk -F '\t' -v OFS='\t' '$3 ~ /(^|\/)pfc$/ { $3 = "pfc"; print }' Module.symvers \
	>"$dest/Module.symvers"
