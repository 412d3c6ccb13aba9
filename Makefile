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

.PHONY: all module clean check demo bench style docs

all: module

module:
	@kdir="$(KDIR)"; \
	if [ -z "$$kdir" ]; then \
		stock=$$(tools/stock-kernel.sh 6.12) || exit 1; \
		kdir=$${stock#* }/usr/src/linux-headers-$${stock%% *}; \
	fi; \
	$(MAKE) -C "$$kdir" M=$(CURDIR) modules

clean:
	@kdir="$(KDIR)"; [ -z "$$kdir" ] || $(MAKE) -C "$$kdir" M=$(CURDIR) clean
	rm -rf .tmp_versions *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers

check:
	@tools/check.sh

demo:
	@tools/demo.sh

bench:
	@bench/run.sh

style:
	@tools/style.sh

docs:
	@tools/api-doc.sh
