/* runid: the 6-hex-digit id every object of a run carries in its name
 * (namespaces pl-<rid>-*, links <rid>-*, nft tables punchlab_<rid>). */
#ifndef PUNCHLAB_RUNID_H
#define PUNCHLAB_RUNID_H

#include <stddef.h>

#define RUNID_LEN 6
#define RUNID_NETNS_PREFIX "pl-"
#define RUNID_STATE_DIR "/run/punchlab"

/* Fresh random id into out (RUNID_LEN + 1 bytes). 0 or -errno. */
int runid_new(char *out);
/* 1 if s is exactly RUNID_LEN lowercase hex digits. */
int runid_valid(const char *s);
/* If name is "pl-<rid>-..." copies rid into out and returns 1, else 0. */
int runid_of_netns(const char *name, char *out);

#endif
