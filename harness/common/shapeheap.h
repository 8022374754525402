/* shapeheap: the packets punch-shaper holds, as a binary min-heap on release
 * time. Ties go to the packet that came first, so equal times keep order. */
#ifndef PUNCHLAB_SHAPEHEAP_H
#define PUNCHLAB_SHAPEHEAP_H

#include <stddef.h>
#include <stdint.h>

struct shapeheap_item {
	uint64_t release_ns;
	uint64_t seq;	 /* arrival order, set by shapeheap_push */
	uint32_t id;	 /* NFQUEUE packet id */
	uint16_t qindex; /* index into the shaper's queue table */
};

struct shapeheap {
	struct shapeheap_item *v;
	size_t n, cap;
	uint64_t next_seq;
};

/* Room for cap items, allocated once (a full heap refuses, never grows:
 * the kernel queue length bounds what can be held). 0 or -ENOMEM. */
int shapeheap_init(struct shapeheap *h, size_t cap);
/* Frees the storage; safe on a zeroed or already freed heap. */
void shapeheap_fini(struct shapeheap *h);
/* 0, or -ENOSPC when full. */
int shapeheap_push(struct shapeheap *h, uint64_t release_ns, uint32_t id,
		   uint16_t qindex);
/* The earliest item, or NULL when empty. */
const struct shapeheap_item *shapeheap_top(const struct shapeheap *h);
/* Removes the earliest into *out: 0, or -ENOENT when empty. */
int shapeheap_pop(struct shapeheap *h, struct shapeheap_item *out);

#endif
