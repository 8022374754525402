/* scenario_priv: the state of reading one scenario file, shared by
 * scenario.c, scenario_matrix.c and scenario_value.c (a data model, no
 * code). Not part of the testbed's API. */
#ifndef PUNCHLAB_SCENARIO_PRIV_H
#define PUNCHLAB_SCENARIO_PRIV_H

#include <stddef.h>

#include "cfg.h"
#include "scenario_model.h"

enum { CELL_HAS_A = 1, CELL_HAS_B = 2, CELL_HAS_EXPECT = 4 };

/* A [matrix NAME]: lists of profiles and condition values, expanded into
 * one cell per combination once the file is read. */
/* A reference to a puncher by name (puncher, puncher_a, puncher_b),
 * resolved once every [puncher] section is read. name "" = not given. */
struct scenario_pref {
	char name[PROFILE_NAME_MAX];
	int line;
	char key[12];
};

/* A [matrix]'s puncher lists: 0 puncher (both sides), 1 puncher_a,
 * 2 puncher_b. */
struct scenario_plist {
	char names[SCENARIO_MAX_LIST][PROFILE_NAME_MAX];
	int n, line;
};

struct scenario_matrix {
	char name[32];
	int line;
	char a[SCENARIO_MAX_LIST][PROFILE_NAME_MAX];
	char b[SCENARIO_MAX_LIST][PROFILE_NAME_MAX];
	int na, nb, a_line, b_line;
	double vals[CELLCOND_NPARAMS][SCENARIO_MAX_LIST];
	struct cond_dist dists[CELLCOND_NPARAMS][SCENARIO_MAX_LIST];
	int nvals[CELLCOND_NPARAMS];
	double expect_min, expect_max;
	char expect_text[64];
	char reason[256];
	unsigned char has;
	struct scenario_plist punchers[3];
	struct cell_adv adv; /* one value each, the same in every cell */
	struct cell_ladder ladder; /* the same in every cell */
};

struct scenario_ctx {
	struct scenario *s;
	const char *profile_dir;
	struct scenario_cell *cell;	/* the [cell] being read, or NULL */
	struct scenario_matrix *matrix; /* the [matrix] being read, or NULL */
	unsigned char has[SCENARIO_MAX_CELLS];
	struct cell_cond defaults;	/* condition keys of [scenario] */
	struct cond_dist default_dist[CELLCOND_NPARAMS];
	unsigned default_params;
	unsigned cell_params[SCENARIO_MAX_CELLS]; /* set in the cell itself */
	struct scenario_matrix *matrices;
	int nmatrices;
	int scenario_line; /* of the [scenario] header, 0 before it */
	int line;	   /* of the key being read */
	int strategy_line; /* of [scenario]'s strategy key, 0: none */
	int natpmp_line;   /* of [scenario]'s natpmp key, 0: none */
	int family_line;   /* of [scenario]'s family key, 0: none */
	struct scenario_puncher *puncher; /* the [puncher] being read */
	/* puncher references: [scenario]'s, each cell's (0 alice, 1 bob) */
	struct scenario_pref def_pref[2];
	struct scenario_pref cell_pref[SCENARIO_MAX_CELLS][2];
	/* [network] (scenario_network.c): being read, the lines of its
	 * keys, and the first [scenario] key a network does not use. */
	int in_network;
	struct scenario_netread *netread;
	char unused_key[32];
	int unused_line;
};

#endif
