/* shapeheap: array-backed binary heap ordered by (release_ns, seq). */
#include <errno.h>
#include <stdlib.h>

#include "shapeheap.h"

static int shapeheap_less(const struct shapeheap_item *a,
			  const struct shapeheap_item *b)
{
	if (a->release_ns != b->release_ns)
		return a->release_ns < b->release_ns;
	return a->seq < b->seq;
}

int shapeheap_init(struct shapeheap *h, size_t cap)
{
	h->n = 0;
	h->next_seq = 0;
	h->cap = cap;
	h->v = calloc(cap ? cap : 1, sizeof(*h->v));
	return h->v ? 0 : -ENOMEM;
}

void shapeheap_fini(struct shapeheap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

int shapeheap_push(struct shapeheap *h, uint64_t release_ns, uint32_t id,
		   uint16_t qindex)
{
	struct shapeheap_item it = {release_ns, h->next_seq, id, qindex};
	size_t i, parent;

	if (h->n >= h->cap)
		return -ENOSPC;
	h->next_seq++;
	i = h->n++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!shapeheap_less(&it, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = it;
	return 0;
}

const struct shapeheap_item *shapeheap_top(const struct shapeheap *h)
{
	return h->n ? &h->v[0] : NULL;
}

int shapeheap_pop(struct shapeheap *h, struct shapeheap_item *out)
{
	struct shapeheap_item last;
	size_t i = 0, child;

	if (!h->n)
		return -ENOENT;
	*out = h->v[0];
	last = h->v[--h->n];
	for (;;) {
		child = 2 * i + 1;
		if (child >= h->n)
			break;
		if (child + 1 < h->n &&
		    shapeheap_less(&h->v[child + 1], &h->v[child]))
			child++;
		if (!shapeheap_less(&h->v[child], &last))
			break;
		h->v[i] = h->v[child];
		i = child;
	}
	if (h->n)
		h->v[i] = last;
	return 0;
}
