/* ntps_points: what the plugin's files share (see ntps_points.cc for what
   the plugin does, README.md for the points and the modes).

     ntps_points.cc    arguments, the pass, the choice of mode per function
     points_abi.cc     the runtime's symbols (__ntps_poll, __ntps_preempt,
                       __ntps_race_access)
     points_memory.cc  which statements touch shared memory, and what a
                       memory point passes with the races argument
     points_insert.cc  where points go (entry, back edges, memory) and the
                       check each one becomes
     points_dual.cc    mode dual: the copied bodies and the entry dispatch
     points_unroll.cc  mode dual's realtime body: a small loop unrolled,
                       one check for up to g_every iterations

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#ifndef NTPS_POINTS_H
#define NTPS_POINTS_H

#include "gcc-plugin.h"
#include "plugin-version.h"

#include "system.h"
#include "coretypes.h"
#include "backend.h"
#include "tree.h"
#include "gimple.h"
#include "tree-pass.h"
#include "ssa.h"
#include "cgraph.h"
#include "context.h"
#include "diagnostic-core.h"
#include "fold-const.h"
#include "stringpool.h"
#include "attribs.h"
#include "gimple-iterator.h"
#include "cfghooks.h"
#include "cfganal.h"
#include "cfgloop.h"
#include "tree-cfg.h"
#include "tree-into-ssa.h"
#include "cfgloopmanip.h"
#include "internal-fn.h"
#include "ggc.h"
#include "langhooks.h"
#include "gimplify.h"
#include "gimplify-me.h"
#include "tree-ssa-address.h"
#include "tree-dfa.h"
#include "tree-ssa-loop-manip.h"
#include "sbitmap.h"

namespace ntps_points {

/* ---- arguments (ntps_points.cc) ---------------------------------------- */
enum points_mode { POINTS_NONE, POINTS_EDGES, POINTS_FULL, POINTS_DUAL };

extern points_mode g_mode;
extern bool g_stats;
extern bool g_races;		/* memory points pass their accesses */
extern unsigned g_every;	/* dual realtime body: a small loop is unrolled
				   up to G_EVERY times, one check for the copies */
extern const char *g_plugin_name;

/* ---- the runtime's symbols (points_abi.cc) ----------------------------- */
extern const char POLL_NAME[];
extern const char PREEMPT_NAME[];
extern const char ACCESS_NAME[];
extern tree g_poll_decl;
extern const struct ggc_root_tab g_roots[];

tree poll_decl ();
tree preempt_decl ();
tree access_decl ();

/* ---- shared memory (points_memory.cc) ---------------------------------- */
bool shared_memory_ref_p (tree t, bool is_load);
bool returns_twice_call_p (gimple *stmt);
bool accesses_shared_memory_p (gimple *stmt);
bool emit_access_calls (gimple_stmt_iterator *gsi, gimple *mem_stmt,
			location_t loc);

/* ---- points (points_insert.cc) ----------------------------------------- */

/* What a point is for.  Entry and back-edge points time-slice; memory
   points let the simulator switch threads between a load and a store.  */
enum point_kind { PK_ENTRY, PK_EDGE, PK_MEMORY };

/* A point is requested either before a statement (which must not be a
   label, a PHI, or a returns_twice call), or at the end of a block whose
   last statement does not end the block (AFTER), or in an empty block.
   Requests are collected first and applied afterwards, so that block
   splitting never invalidates the scan.  */
struct point_req
{
  enum { BEFORE, AFTER, EMPTY_BB } where;
  point_kind kind;
  gimple *stmt;
  basic_block bb;
  location_t loc;
};

struct collector
{
  auto_vec<point_req> reqs;
  hash_set<gimple *> before_seen;
  hash_set<basic_block> end_seen;
  hash_set<basic_block> point_bbs;	/* blocks that got a point */
  unsigned n_entry = 0, n_edges = 0, n_mem = 0;
  /* Set while recording a point that the dual dispatch already passed
     (counts as a point here, emits nothing).  */
  bool silent = false;
  /* Set while collecting a realtime body of mode dual: back-edge points
     go to the loop header (see collect_body).  */
  bool realtime = false;

  void push (point_req r);
  bool before (gimple *s, point_kind kind);
  bool in_block (basic_block bb, point_kind kind);
  void entry (basic_block bb);
};

basic_block entry_block_for_point ();
bool skip_function_p (tree fndecl);
void collect_body (collector &c, function *fun, hash_set<basic_block> *region,
		   bool memory);
unsigned int apply_requests (function *fun, collector &c);
unsigned int instrument_single (function *fun, bool memory);

/* ---- small loops unrolled (points_unroll.cc) --------------------------- */
unsigned unroll_small_loops (function *fun, hash_set<basic_block> *region);

/* ---- mode dual (points_dual.cc) ---------------------------------------- */
bool dual_possible_p (function *fun);
bool has_memory_points_p (function *fun, basic_block entry);
unsigned int instrument_dual (function *fun);

} // namespace ntps_points

#endif
