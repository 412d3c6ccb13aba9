# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of pfc.  `make` builds pfc.ko against KDIR: the running
# kernel's build directory, or else Debian's 6.12 headers, which
# tools/stock-kernel.sh unpacks into the cache (Debian's 6.12 headers
# package depends on the kernel image, and a build must not install a
# kernel on this machine).

ifeq ($(KDIR),)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
endif

PFC_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

.PHONY: all module install deb clean check demo bench style docs

all: module

# The build directory: KDIR, or Debian's 6.12 headers from the cache.
find_kdir = kdir="$(KDIR)"; \
	if [ -z "$$kdir" ]; then \
		stock=$$(tools/stock-kernel.sh 6.12) || exit 1; \
		kdir=$${stock\#* }/usr/src/linux-headers-$${stock%% *}; \
	fi

module:
	@$(find_kdir); $(MAKE) -C "$$kdir" M=$(CURDIR) modules

# `make install [KDIR=...] [DESTDIR=root]`: pfc.ko where modprobe finds it,
# $(DESTDIR)/lib/modules/<kernel>/updates/pfc.ko, then depmod; and what a
# module outside this tree builds against: pfc.h in
# $(DESTDIR)/usr/src/pfc-<version>/ and pfc's exports, for that kernel, in
# $(DESTDIR)/usr/src/pfc-<version>/<kernel>/Module.symvers (see
# samples/out-of-tree/Makefile).  Only pfc.ko is installed.
install: module
	@set -e; kver=$$(modinfo -F vermagic pfc.ko | cut -d' ' -f1); \
	inc=$(DESTDIR)/usr/src/pfc-$(PFC_VERSION); \
	install -D -m 644 pfc.ko "$(DESTDIR)/lib/modules/$$kver/updates/pfc.ko"; \
	install -D -m 644 pfc.h "$$inc/pfc.h"; \
	tools/pfc-symvers.sh "$$inc/$$kver"; \
	PATH=$$PATH:/usr/sbin:/sbin depmod $(if $(DESTDIR),-b "$(DESTDIR)") "$$kver"; \
	echo "installed pfc.ko for $$kver$(if $(DESTDIR), under $(DESTDIR)), pfc.h and Module.symvers in $$inc"

# pfc-dkms_<version>_all.deb in build/deb (dpkg-buildpackage, lintian).
deb:
	@tools/deb.sh

clean:
	@kdir="$(KDIR)"; [ -z "$$kdir" ] || $(MAKE) -C "$$kdir" M=$(CURDIR) clean
	rm -rf .tmp_versions *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers

check:
	@tools/check.sh

demo:
	@tools/demo.sh

bench:
	@bench/run.sh

# The same benchmarks natively, in User-Mode Linux (bench/native.sh).
.PHONY: bench-native
bench-native:
	@bench/native.sh

style:
	@tools/style.sh

docs:
	@tools/api-doc.sh
