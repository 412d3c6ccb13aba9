#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The files of the working tree as git sees them (tracked, and untracked
# but not ignored: no build outputs), one path per line relative to the
# top directory.  What every script that builds or packages a copy of the
# tree copies, e.g.
#   tools/tree-files.sh | tar -C <top> -cf - -T - | tar -C <copy> -xf -
# (tar, not rsync: a fresh Debian minbase has tar only).
top=$(cd "$(dirname "$0")/.." && pwd)
git -C "$top" ls-files --cached --others --exclude-standard |
	sort -u | while IFS= read -r f; do
		[ -f "$top/$f" ] && printf '%s\n' "$f"
	done
