/* pcpsum: the natpmp trials of each cell folded into natpmp.json in the
 * run folder — mappings, inbound connections, ports honoured, addresses
 * advertised, the mapping's time from bitcoind's spawn, and why it
 * failed, as bitcoind's log said it. */
#ifndef PUNCHLAB_PCPSUM_H
#define PUNCHLAB_PCPSUM_H

#include <jansson.h>

struct pcpsum;

/* For ncells cells of up to ntrials trials each; NULL with errno set.
 * Freed by pcpsum_free (NULL is fine). */
struct pcpsum *pcpsum_new(int ncells, int ntrials);
void pcpsum_free(struct pcpsum *s);
/* One trial record of cell (btcpcp.c's "pcp", "inbound", "advertised"). */
void pcpsum_add(struct pcpsum *s, int cell, const json_t *rec);
/* {cell name: {...}} for the names names[0..ncells) into dir/natpmp.json.
 * 0 or -errno. */
int pcpsum_write(const struct pcpsum *s, const char *const *names,
		 const char *dir);

#endif
