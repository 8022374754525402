/* netevict: the eviction choice, O(n^2) over a node's inbound peers
 * (at most inbound_slots, and only when a newcomer meets a full node). */
#include "netevict.h"

int netevict_choose(const struct netevict_cand *c, int n)
{
	int best = -1, best_count = 0;

	for (int i = 0; i < n; i++) {
		int count = 0, youngest = i;

		for (int k = 0; k < n; k++) {
			if (c[k].group != c[i].group)
				continue;
			count++;
			if (c[k].t_open_ns > c[youngest].t_open_ns)
				youngest = k;
		}
		if (youngest != i)
			continue; /* each group judged once, at its youngest */
		if (count > best_count ||
		    (count == best_count &&
		     c[i].t_open_ns > c[best].t_open_ns)) {
			best = i;
			best_count = count;
		}
	}
	return best;
}
