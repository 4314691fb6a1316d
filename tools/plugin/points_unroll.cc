/* ntps_points: in mode dual's realtime body, a small innermost loop is
   unrolled up to g_every times (each copy keeping its exit test), so that
   its back-edge point is passed once for all the copies.

   A check is a load of the poll word, a test and a branch: two macro-ops
   in a loop of a few instructions is 10% or more of the loop (the
   array-of-structs update: 1.11x over --points none).  A down-counter in a
   register costs the same two (measured: 1.12x).  Copying the body keeps
   every instruction of it, the exit tests included, so the loop does the
   same work as mode none's, and only the check is shared by the copies:

     header: check; body; if (exit) ...; body'; if (exit') ...;
	     ...; body'''''''; if (exit''''''') ...; goto header

   (GCC's own `duplicate the body onto the latch edge', as its RTL
   unroller's `stupid' unrolling does, so the copies are one loop.)  Only
   for an innermost natural loop whose body has no call other than
   internal functions: an iteration is then straight-line work.  The
   factor is the largest power of two up to g_every (8) whose copies have
   at most BUDGET statements together, which bounds the work between two
   checks.  Every cycle of the CFG that leaves such a loop leaves it
   through an exit and passes some other DFS back edge, whose destination
   has its own point (the header is entered from outside only through
   its preheader, which no cycle of the loop contains).

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#include "points.h"

namespace ntps_points {

/* The statements (debug ones and labels aside) of the copies together:
   the bound on the straight-line work between two checks.  A body of
   more than BUDGET / 2 statements is not unrolled: its check is a small
   part of it already.  */
static const unsigned BUDGET = 128;

/* If LOOP is an innermost natural loop with no call, all of whose
   header's incoming DFS back edges are its latches, the number of
   statements of its body (at most BUDGET / 2); otherwise 0.  */
static unsigned
small_loop_size (class loop *loop)
{
  basic_block h = loop->header;
  if (loop->inner || !loop_outer (loop) || !loop->latch
      || (h->flags & BB_IRREDUCIBLE_LOOP))
    return 0;
  edge e;
  edge_iterator ei;
  FOR_EACH_EDGE (e, ei, h->preds)
    {
      if (e->flags & (EDGE_ABNORMAL | EDGE_EH | EDGE_IRREDUCIBLE_LOOP))
	return 0;
      if (flow_bb_inside_loop_p (loop, e->src)
	  != ((e->flags & EDGE_DFS_BACK) != 0))
	return 0;
    }
  basic_block *body = get_loop_body (loop);
  unsigned n = 0;
  bool ok = true;
  for (unsigned i = 0; ok && i < loop->num_nodes; i++)
    {
      if ((body[i]->flags & BB_IRREDUCIBLE_LOOP)
	  || !can_duplicate_block_p (body[i]))
	ok = false;
      for (gimple_stmt_iterator gsi = gsi_start_bb (body[i]);
	   ok && !gsi_end_p (gsi); gsi_next (&gsi))
	{
	  gimple *s = gsi_stmt (gsi);
	  if (is_gimple_debug (s) || gimple_code (s) == GIMPLE_LABEL)
	    continue;
	  if ((is_gimple_call (s) && !gimple_call_internal_p (s))
	      || ++n > BUDGET / 2)
	    ok = false;
	}
    }
  free (body);
  return ok ? n : 0;
}

/* Unroll LOOP: FACTOR copies of the body, one loop.  */
static bool
unroll_loop (class loop *loop, unsigned factor)
{
  /* The duplication wants a preheader and a latch that only jumps to the
     header (the copies go on the latch edge).  Both are forwarders: they
     cost nothing once the RTL CFG is cleaned up.  */
  create_preheader (loop, 0);
  if (!single_succ_p (loop->latch) || loop->latch == loop->header)
    split_edge (loop_latch_edge (loop));
  if (!can_duplicate_loop_p (loop))
    return false;

  unsigned saved = current_loops->state;
  loops_state_set (LOOPS_HAVE_SIMPLE_LATCHES | LOOPS_HAVE_PREHEADERS);
  auto_sbitmap wont_exit (factor);
  bitmap_clear (wont_exit);		/* every copy keeps its exits */
  calculate_dominance_info (CDI_DOMINATORS);
  initialize_original_copy_tables ();
  bool ok = gimple_duplicate_loop_body_to_header_edge
    (loop, loop_latch_edge (loop), factor - 1, wont_exit, NULL, NULL,
     DLTHE_FLAG_UPDATE_FREQ);
  free_original_copy_tables ();
  current_loops->state = saved;
  return ok;
}

/* Unroll the small innermost loops among the blocks of REGION (mode dual's
   realtime body) before its points are placed.  Returns how many.  */
unsigned
unroll_small_loops (function *fun, hash_set<basic_block> *region)
{
  /* Not at -O0 (its code stays as written) nor where GCC optimizes for
     size (-Os, cold loops): the copies cost code.  */
  if (g_every <= 1 || !optimize || !current_loops
      || loops_state_satisfies_p (LOOPS_NEED_FIXUP))
    return 0;
  mark_dfs_back_edges (fun);
  auto_vec<class loop *> todo;
  auto_vec<unsigned> factors;
  for (auto loop : loops_list (fun, LI_ONLY_INNERMOST))
    {
      if (!region->contains (loop->header) || !optimize_loop_for_speed_p (loop))
	continue;
      unsigned size = small_loop_size (loop), f = g_every;
      while (f > 1 && f * size > BUDGET)
	f /= 2;
      if (size && f > 1)
	{
	  todo.safe_push (loop);
	  factors.safe_push (f);
	}
    }
  unsigned n = 0;
  for (unsigned i = 0; i < todo.length (); i++)
    {
      class loop *loop = todo[i];
      unsigned first_new = last_basic_block_for_fn (fun);
      if (!unroll_loop (loop, factors[i]))
	continue;
      n++;
      /* The preheader, latch forwarder and copies belong to the body.  */
      basic_block bb;
      FOR_EACH_BB_FN (bb, fun)
	if ((unsigned) bb->index >= first_new
	    || (bb->loop_father == loop && !region->contains (bb)))
	  region->add (bb);
    }
  if (n)
    {
      /* The copies define new SSA names for the old ones (and the exits
	 now merge values from several copies).  */
      free_dominance_info (CDI_DOMINATORS);
      update_ssa (TODO_update_ssa);
    }
  return n;
}

} // namespace ntps_points
