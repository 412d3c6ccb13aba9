/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc_guard - what guard.c and denylist.c share
 */
#ifndef _PFC_GUARD_H
#define _PFC_GUARD_H

#include <crypto/sha2.h>
#include <linux/seq_file.h>
#include <linux/types.h>

/* The deny list: a set of SHA-256 digests (denylist.c). */
bool guard_deny_match(const u8 digest[SHA256_DIGEST_SIZE]);
unsigned long guard_deny_generation(void);
unsigned int guard_deny_count(void);
int guard_deny_parse(char *buf);
void guard_deny_show(struct seq_file *m);
void guard_deny_exit(void);

#endif /* _PFC_GUARD_H */
