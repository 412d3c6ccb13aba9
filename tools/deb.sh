#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: build pfc-dkms_<version>_all.deb with Debian's own tooling
# (dpkg-buildpackage, debhelper, dh-dkms; debian/ in this tree), from a
# copy of the tree as git sees it, and run lintian on it.
#
# usage: tools/deb.sh [OUTDIR]     (default build/deb)
#
# Prints the path of the .deb on the last line of stdout.  Exit status 1
# if the build fails, 2 if lintian reports an error or a warning.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/deb}
"$root/tools/deps.sh" deb dpkg-dev debhelper dh-dkms fakeroot lintian >&2 ||
	{ echo "deb: missing packages" >&2; exit 1; }

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
debver=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
if [ "$version" != "$debver" ]; then
	echo "deb: dkms.conf says $version, debian/changelog $debver" >&2
	exit 1
fi
grep -q "usr/src/pfc-$version/" "$root/debian/pfc-dkms.install" ||
	{ echo "deb: debian/pfc-dkms.install does not install into usr/src/pfc-$version" >&2; exit 1; }

rm -rf "$out"
src=$out/pfc-$version
mkdir -p "$src"
"$root/tools/tree-files.sh" | tar -C "$root" -cf - -T - | tar -C "$src" -xf -
(cd "$src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) || {
	tail -20 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log $out/build.log)" >&2
	exit 1
}
deb=$out/pfc-dkms_${version}_all.deb
[ -f "$deb" ] || { echo "deb: no $deb" >&2; exit 1; }
echo "deb: built $deb" >&2
rc=0
lintian --fail-on error,warning "$deb" >"$out/lintian.log" 2>&1 || rc=2
sed 's/^/lintian: /' "$out/lintian.log" >&2
echo "$deb"
exit $rc
