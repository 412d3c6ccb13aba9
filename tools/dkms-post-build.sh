#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DKMS POST_BUILD (dkms.conf): keep pfc's Module.symvers next to the built
# module, in DKMS's per-kernel directory, where a consumer's build finds
# it (samples/out-of-tree/Makefile), as other DKMS packages that export
# symbols do.  DKMS runs this in its build directory, before `make clean`.
#
# usage: tools/dkms-post-build.sh <dkms per-kernel directory>
#        (${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/${kernelver}/${arch})
set -e
dest=${1:?usage: dkms-post-build.sh <dkms per-kernel directory>}
mkdir -p "$dest"
awk -F '\t' -v OFS='\t' '$3 ~ /(^|\/)pfc$/ { $3 = "pfc"; print }' Module.symvers \
	>"$dest/Module.symvers"
