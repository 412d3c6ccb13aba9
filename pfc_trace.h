/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc - tracepoints: contexts inserted, unlinked and freed, and objects
 * torn down.  perf, trace-cmd and bpftrace see them as pfc:pfc_*.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pfc

#if !defined(_PFC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PFC_TRACE_H

#include <linux/fs.h>
#include <linux/tracepoint.h>

#include "pfc.h"
#include "internal.h"

DECLARE_EVENT_CLASS(pfc_context_class,
		    TP_PROTO(const struct pfc_clist *pe,
			     const struct pfc_context *ctx),
		    TP_ARGS(pe, ctx),
		    TP_STRUCT__entry(__field(u8, kind)
				     __field(dev_t, dev)
				     __field(unsigned long, ino)
				     __field(const void *, ctx)
				     __field(const void *, owner)
				     __field(const void *, instance)),
		    TP_fast_assign(__entry->kind = pe->kind;
				   __entry->dev = pe->dev;
				   __entry->ino = pe->ino;
				   __entry->ctx = ctx;
				   __entry->owner = ctx->owner;
				   __entry->instance = ctx->instance;),
		    TP_printk("%s dev=%d:%d ino=%lu ctx=%p owner=%ps instance=%p",
			      __print_symbolic(__entry->kind,
					       { PFC_OBJ_INODE, "inode" },
					       { PFC_OBJ_SB, "sb" },
					       { PFC_OBJ_FILE, "file" }),
			      MAJOR(__entry->dev), MINOR(__entry->dev),
			      __entry->ino, __entry->ctx, __entry->owner,
			      __entry->instance)
);

/* A context was linked into an object's list. */
DEFINE_EVENT(pfc_context_class, pfc_insert,
	     TP_PROTO(const struct pfc_clist *pe, const struct pfc_context *ctx),
	     TP_ARGS(pe, ctx)
);

/* A context was unlinked: remove, replace, teardown, sweep, object death. */
DEFINE_EVENT(pfc_context_class, pfc_unlink,
	     TP_PROTO(const struct pfc_clist *pe, const struct pfc_context *ctx),
	     TP_ARGS(pe, ctx)
);

/*
 * An object's list died: eviction, unlink + last close, umount, unload;
 * a file's last close.
 */
TRACE_EVENT(pfc_evict,
	    TP_PROTO(const struct pfc_clist *pe, unsigned int contexts),
	    TP_ARGS(pe, contexts),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, ino)
			     __field(unsigned int, contexts)),
	    TP_fast_assign(__entry->dev = pe->dev;
			   __entry->ino = pe->ino;
			   __entry->contexts = contexts;),
	    TP_printk("dev=%d:%d ino=%lu contexts=%u",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->ino,
		      __entry->contexts)
);

/* A context's free callback is about to run. */
TRACE_EVENT(pfc_free,
	    TP_PROTO(const struct pfc_context *ctx),
	    TP_ARGS(ctx),
	    TP_STRUCT__entry(__field(const void *, ctx)
			     __field(const void *, owner)
			     __field(const void *, instance)
			     __field(const void *, free)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->owner = ctx->owner;
			   __entry->instance = ctx->instance;
			   __entry->free = ctx->free;),
	    TP_printk("ctx=%p owner=%ps instance=%p free=%ps",
		      __entry->ctx, __entry->owner, __entry->instance,
		      __entry->free)
);

#endif /* _PFC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pfc_trace
#include <trace/define_trace.h>
