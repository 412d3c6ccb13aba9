# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of pfc.  `make` builds pfc.ko against KDIR: the running
# kernel's build directory, or Debian's linux-headers-6.12-amd64 when that
# is absent (installed if missing and run as root).

DEB_HEADERS_PKG := linux-headers-6.12-amd64

ifeq ($(KDIR),)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
ifeq ($(KDIR),)
KDIR := $(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64)))
endif
endif

.PHONY: all module clean check demo bench style docs headers

all: module

headers:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		tools/deps.sh module $(DEB_HEADERS_PKG) || exit 1; \
	fi

module: headers
	@kdir="$(KDIR)"; \
	[ -n "$$kdir" ] || kdir=$$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort | tail -1); \
	$(MAKE) -C "$$kdir" M=$(CURDIR) modules

clean:
	@kdir="$(KDIR)"; [ -z "$$kdir" ] || $(MAKE) -C "$$kdir" M=$(CURDIR) clean
	rm -rf .tmp_versions

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
