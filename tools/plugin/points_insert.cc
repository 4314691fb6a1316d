/* ntps_points: where the points go (function entry, back edges, memory
   accesses) and the check each one becomes.

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#include "points.h"

namespace ntps_points {

/* ---------------------------------------------------------------------
   Insertion (the requests: points.h, point_req).  */

/* Insert the check so that it executes right after AFTER_STMT in BB
   (AFTER_STMT == NULL or a label: at the start of BB, after its labels).  */
static void
insert_point (basic_block bb, gimple *after_stmt, location_t loc,
	      gimple *mem_stmt = NULL)
{
  /* Split BB: COND_BB keeps the statements up to AFTER_STMT and all the
     incoming edges; JOIN_BB gets the rest and the outgoing edges.  */
  edge fallthru = split_block (bb, after_stmt);
  basic_block cond_bb = fallthru->src;
  basic_block join_bb = fallthru->dest;

  basic_block then_bb = create_empty_bb (cond_bb);
  then_bb->count = cond_bb->count.apply_probability
    (profile_probability::very_unlikely ());
  if (current_loops)
    add_bb_to_loop (then_bb, cond_bb->loop_father);
  then_bb->flags |= cond_bb->flags & BB_IRREDUCIBLE_LOOP;

  fallthru->flags &= ~EDGE_FALLTHRU;
  fallthru->flags |= EDGE_FALSE_VALUE;
  fallthru->probability = profile_probability::very_likely ();
  edge e_then = make_edge (cond_bb, then_bb, EDGE_TRUE_VALUE);
  e_then->probability = profile_probability::very_unlikely ();
  edge e_back = make_edge (then_bb, join_bb, EDGE_FALLTHRU);
  e_back->probability = profile_probability::always ();
  if (cond_bb->flags & BB_IRREDUCIBLE_LOOP)
    {
      e_then->flags |= EDGE_IRREDUCIBLE_LOOP;
      e_back->flags |= EDGE_IRREDUCIBLE_LOOP;
    }

  /* cond_bb:  _t = __ntps_poll;  if (_t != 0) goto then_bb; else join_bb  */
  tree poll = poll_decl ();
  tree val = make_ssa_name (TYPE_MAIN_VARIANT (TREE_TYPE (poll)));
  gassign *load = gimple_build_assign (val, poll);
  gimple_set_location (load, loc);
  gcond *cond = gimple_build_cond (NE_EXPR, val,
				   build_zero_cst (TREE_TYPE (val)),
				   NULL_TREE, NULL_TREE);
  gimple_set_location (cond, loc);
  gimple_stmt_iterator gsi = gsi_last_bb (cond_bb);
  gsi_insert_after (&gsi, load, GSI_NEW_STMT);
  gsi_insert_after (&gsi, cond, GSI_NEW_STMT);

  /* then_bb:  __ntps_preempt ();  or the accesses of MEM_STMT  */
  gimple_stmt_iterator tgsi = gsi_last_bb (then_bb);
  if (g_races && mem_stmt && emit_access_calls (&tgsi, mem_stmt, loc))
    return;
  gcall *call = gimple_build_call (preempt_decl (), 0);
  gimple_call_set_nothrow (call, true);
  gimple_set_location (call, loc);
  gsi_insert_after (&tgsi, call, GSI_NEW_STMT);
}

/* The point before a memory access: the one place that decides what code
   an access gets (today the same check as every other point; a race
   detector may pass the address, size and kind of R.stmt's access).  BB
   and AFTER_STMT say where, as for insert_point.  */
static void
emit_memory_point (const point_req &r, basic_block bb, gimple *after_stmt)
{
  insert_point (bb, after_stmt, r.loc,
		r.where == point_req::BEFORE ? r.stmt : NULL);
}

static void
apply_request (const point_req &r)
{
  basic_block bb = r.bb;
  gimple *after = NULL;
  switch (r.where)
    {
    case point_req::BEFORE:
      {
	gimple_stmt_iterator gsi = gsi_for_stmt (r.stmt);
	gsi_prev (&gsi);
	bb = gimple_bb (r.stmt);
	after = gsi_end_p (gsi) ? NULL : gsi_stmt (gsi);
	break;
      }
    case point_req::AFTER:
      bb = gimple_bb (r.stmt);
      after = r.stmt;
      break;
    case point_req::EMPTY_BB:
      break;
    }
  if (r.kind == PK_MEMORY)
    emit_memory_point (r, bb, after);
  else
    insert_point (bb, after, r.loc);
}

void
collector::push (point_req r)
{
  if (!silent)
    reqs.safe_push (r);
}

bool
collector::before (gimple *s, point_kind kind)
{
  if (returns_twice_call_p (s))
    return false;
  if (before_seen.add (s))
    {
	/* already there: shared point (the entry's first statement); a
	   memory point must still pass the statement's accesses */
	if (kind == PK_MEMORY)
	  for (unsigned i = 0; i < reqs.length (); i++)
	    if (reqs[i].where == point_req::BEFORE && reqs[i].stmt == s)
	      reqs[i].kind = PK_MEMORY;
	return true;
    }
  point_bbs.add (gimple_bb (s));
  point_req r = { point_req::BEFORE, kind, s, gimple_bb (s),
		    gimple_location (s) };
  push (r);
  return true;
}

/* A point that every path through BB executes before leaving BB.  */
bool
collector::in_block (basic_block bb, point_kind kind)
{
  gimple_stmt_iterator gsi = gsi_last_nondebug_bb (bb);
  if (!gsi_end_p (gsi))
    {
	gimple *last = gsi_stmt (gsi);
	/* The abnormal dispatcher block of a function calling setjmp is a
	   fiction of the CFG (it expands to nothing; control really goes
	   longjmp -> setjmp return); a cycle through it also passes through
	   the external longjmp.  Nothing can be inserted there.  */
	if (gimple_call_internal_p (last, IFN_ABNORMAL_DISPATCHER))
	  return true;
	if (is_ctrl_stmt (last) || stmt_ends_bb_p (last))
	  return before (last, kind);
	if (gimple_code (last) == GIMPLE_LABEL)
	  ;				/* only labels: fall through */
	else
	  {
	    if (end_seen.add (bb))
	      return true;
	    point_bbs.add (bb);
	    /* After the very last statement, debug statements included.  */
	    gimple *real_last = gsi_stmt (gsi_last_bb (bb));
	    point_req r = { point_req::AFTER, kind, real_last, bb,
			    gimple_location (last) };
	    push (r);
	    return true;
	  }
    }
  /* No statements but labels (and debug statements).  */
  if (end_seen.add (bb))
    return true;
  point_bbs.add (bb);
  gimple_stmt_iterator l = gsi_last_bb (bb);
  if (gsi_end_p (l))
    {
	point_req r = { point_req::EMPTY_BB, kind, NULL, bb, UNKNOWN_LOCATION };
	push (r);
    }
  else
    {
	point_req r = { point_req::AFTER, kind, gsi_stmt (l), bb,
			UNKNOWN_LOCATION };
	push (r);
    }
  return true;
}

/* The function-entry point: before the first statement of BB.  */
void
collector::entry (basic_block bb)
{
  gimple_stmt_iterator gsi = gsi_after_labels (bb);
  while (!gsi_end_p (gsi) && is_gimple_debug (gsi_stmt (gsi)))
    gsi_next (&gsi);
  bool done = false;
  if (!gsi_end_p (gsi))
    done = before (gsi_stmt (gsi), PK_ENTRY);
  if (!done)
    in_block (bb, PK_ENTRY);
  n_entry++;
}


/* The first basic block of the body, made to have the entry edge as its
   only predecessor (split the entry edge otherwise).  */
basic_block
entry_block_for_point ()
{
  edge e = single_succ_edge (ENTRY_BLOCK_PTR_FOR_FN (cfun));
  basic_block bb = e->dest;
  if (bb == EXIT_BLOCK_PTR_FOR_FN (cfun) || !single_pred_p (bb)
      || !gimple_seq_empty_p (phi_nodes (bb)))
    return split_edge (e);
  gimple_stmt_iterator gsi = gsi_after_labels (bb);
  if (!gsi_end_p (gsi) && returns_twice_call_p (gsi_stmt (gsi)))
    return split_edge (e);
  return bb;
}

bool
skip_function_p (tree fndecl)
{
  /* Not DECL_NO_INSTRUMENT_FUNCTION_ENTRY_EXIT: the gimplifier sets it on
     every function once -finstrument-functions has been dealt with.  */
  if (lookup_attribute ("no_instrument_function",
			   DECL_ATTRIBUTES (fndecl))
      || lookup_attribute ("naked", DECL_ATTRIBUTES (fndecl)))
    return true;
  /* Never instrument the runtime hooks themselves.  */
  if (DECL_NAME (fndecl) == get_identifier (PREEMPT_NAME)
      || DECL_NAME (fndecl) == get_identifier (ACCESS_NAME))
    return true;
  if (DECL_ASSEMBLER_NAME_SET_P (fndecl)
      && DECL_ASSEMBLER_NAME (fndecl) == get_identifier (PREEMPT_NAME))
    return true;
  return false;
}

/* Memory points (if MEMORY) and back-edge points of the blocks of REGION
   (NULL: every block).  */
void
collect_body (collector &c, function *fun, hash_set<basic_block> *region,
	      bool memory)
{
  basic_block bb;
  if (memory)
    FOR_EACH_BB_FN (bb, fun)
      {
	if (region && !region->contains (bb))
	  continue;
	for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	     gsi_next (&gsi))
	  {
	    gimple *s = gsi_stmt (gsi);
	    if (is_gimple_debug (s) || !accesses_shared_memory_p (s))
	      continue;
	    if (c.before (s, PK_MEMORY))
	      c.n_mem++;
	  }
      }

  /* Back edges: a point in the source block of every DFS back edge, so
     every cycle of the CFG passes through a point.  A block that already
     has a memory point needs no other: every path through the block
     executes all of its points.

     A realtime body of mode dual puts it in the destination instead (the
     loop header): every cycle contains a DFS back edge and so both of its
     ends, so this bounds a cycle just as well (a point an iteration), and
     its points only time-slice.  At the source, the point often fills a
     latch that was an empty forwarder, which then stays a block of its
     own: each iteration takes one more jump (to the latch, then to the
     header) and may run the header's alignment padding; several latches
     each get a check.  At the header, the loop's code is mode none's
     plus the check.  The simulation body keeps the source placement, so
     a seed schedules it as before.  */
  mark_dfs_back_edges (fun);
  FOR_EACH_BB_FN (bb, fun)
    {
      if (region && !region->contains (bb))
	continue;
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	if (e->flags & EDGE_DFS_BACK)
	  {
	    if (c.realtime && !(e->flags & (EDGE_ABNORMAL | EDGE_EH))
		&& (c.point_bbs.contains (e->dest)
		    || c.in_block (e->dest, PK_EDGE)))
	      {
		c.n_edges++;
		continue;		/* every back edge: each has its header */
	      }
	    bool ok = c.point_bbs.contains (bb) || c.in_block (bb, PK_EDGE);
	    if (!ok)
	      {
		/* The block's last statement is a returns_twice call that
		   starts and ends it: put the point on the edge or at the
		   start of the destination instead.  */
		if (!(e->flags & (EDGE_ABNORMAL | EDGE_EH)))
		  ok = c.in_block (split_edge (e), PK_EDGE);
		else
		  {
		    gimple_stmt_iterator g = gsi_after_labels (e->dest);
		    while (!gsi_end_p (g) && is_gimple_debug (gsi_stmt (g)))
		      gsi_next (&g);
		    if (!gsi_end_p (g))
		      ok = c.before (gsi_stmt (g), PK_EDGE);
		  }
	      }
	    if (ok)
	      c.n_edges++;
	    else if (g_stats)
	      inform (DECL_SOURCE_LOCATION (fun->decl),
		      "%s: no point for back edge %d%<->%>%d", g_plugin_name,
		      e->src->index, e->dest->index);
	    break;			/* one point per source block */
	  }
    }
}

/* Split blocks at the collected points.  */
unsigned int
apply_requests (function *fun, collector &c)
{
  if (c.reqs.is_empty ())
    return 0;
  /* Splitting blocks changes dominance; let the SSA updater recompute.  */
  free_dominance_info (CDI_DOMINATORS);
  free_dominance_info (CDI_POST_DOMINATORS);
  for (unsigned i = 0; i < c.reqs.length (); i++)
    apply_request (c.reqs[i]);
  /* The new calls clobber memory: rename the virtual operands.  */
  mark_virtual_operands_for_renaming (fun);
  return TODO_update_ssa_only_virtuals;
}

/* One body: entry, back edges and (if MEMORY) memory points.  */
unsigned int
instrument_single (function *fun, bool memory)
{
  collector c;
  c.entry (entry_block_for_point ());
  collect_body (c, fun, NULL, memory);
  if (g_stats)
    fprintf (stderr, "%s: %s: entry %u, back-edges %u, memory %u, checks %u\n",
	     g_plugin_name, function_name (fun), c.n_entry, c.n_edges,
	     c.n_mem, c.reqs.length ());
  return apply_requests (fun, c);
}

} // namespace ntps_points
