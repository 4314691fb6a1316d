/* ntps_points: mode dual, each function twice (a realtime body and a
   simulation body) behind an entry dispatch.

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#include "points.h"

namespace ntps_points {

/* ---------------------------------------------------------------------
   mode=dual: two bodies.

   The function body is duplicated after all optimisations.  The realtime
   copy gets the entry and back-edge points (mode edges), the simulation
   copy the back-edge and memory points (mode full).  The entry point
   chooses:

     d:  _t = __ntps_poll;  if (_t != 0) goto c; else goto realtime;
     c:  __ntps_preempt ();  _s = __ntps_poll;
	 if ((signed) _s < 0) goto simulation; else goto realtime;

   The runtime keeps the sign bit of __ntps_poll set in simulation (so
   every point calls __ntps_preempt there anyway), and clear in realtime,
   so the realtime body costs what mode edges costs and the simulation
   body runs exactly the points mode full would: the check in c is the
   full body's entry point, which is why the simulation copy gets none of
   its own.  Same points, same virtual time: a seed schedules a dual build
   as it schedules a full one.  A leaf function gets a third copy, of the
   realtime body, for c's false edge (see instrument_dual).  */

/* Can the body be copied as a whole?  No abnormal or EH edges (setjmp,
   computed and nonlocal goto, exceptions), no asm goto, nothing GCC
   refuses to duplicate.  */
bool
dual_possible_p (function *fun)
{
  if (fun->calls_setjmp || fun->has_nonlocal_label
      || fun->has_forced_label_in_static)
    return false;
  basic_block bb;
  FOR_EACH_BB_FN (bb, fun)
    {
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	if (e->flags & (EDGE_ABNORMAL | EDGE_EH))
	  return false;
      if (!can_duplicate_block_p (bb))
	return false;
      gimple *last = last_stmt (bb);
      if (last && gimple_code (last) == GIMPLE_ASM
	  && gimple_asm_nlabels (as_a <gasm *> (last)) != 0)
	return false;
    }
  return true;
}

/* Does mode full give this function more points than mode edges, i.e.
   a memory point that is not also its entry point?  */
bool
has_memory_points_p (function *fun, basic_block entry)
{
  gimple *first = NULL;
  gimple_stmt_iterator g = gsi_after_labels (entry);
  while (!gsi_end_p (g) && is_gimple_debug (gsi_stmt (g)))
    gsi_next (&g);
  if (!gsi_end_p (g))
    first = gsi_stmt (g);
  basic_block bb;
  FOR_EACH_BB_FN (bb, fun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	 gsi_next (&gsi))
      {
	gimple *s = gsi_stmt (gsi);
	if (s != first && !is_gimple_debug (s) && !returns_twice_call_p (s)
	    && accesses_shared_memory_p (s))
	  return true;
      }
  return false;
}

/* Copy the loop tree, so that the copied blocks land in copied loops.  */
static void
duplicate_loop_tree ()
{
  class loop *root = current_loops->tree_root;
  auto_vec<class loop *> outer;
  for (class loop *l = root->inner; l; l = l->next)
    outer.safe_push (l);
  for (unsigned i = 0; i < outer.length (); i++)
    duplicate_subloops (outer[i], duplicate_loop (outer[i], root));
}

/* The entry dispatch (see above) in front of the realtime body, choosing
   SIM; the slow path resumes in RESUME when it does not choose SIM (the
   realtime body, or its copy in a leaf function, see instrument_dual).
   Returns the slow block (c).  */
static basic_block
build_dispatch (function *fun, basic_block sim, basic_block resume)
{
  location_t loc = DECL_SOURCE_LOCATION (fun->decl);
  basic_block d = split_edge (single_succ_edge (ENTRY_BLOCK_PTR_FOR_FN (fun)));
  basic_block c = create_empty_bb (d);
  if (current_loops)
    add_bb_to_loop (c, d->loop_father);
  c->count = d->count.apply_probability (profile_probability::very_unlikely ());

  edge d_rt = single_succ_edge (d);
  d_rt->flags &= ~EDGE_FALLTHRU;
  d_rt->flags |= EDGE_FALSE_VALUE;
  d_rt->probability = profile_probability::very_likely ();
  make_edge (d, c, EDGE_TRUE_VALUE)->probability
    = profile_probability::very_unlikely ();
  make_edge (c, sim, EDGE_TRUE_VALUE)->probability
    = profile_probability::even ();
  make_edge (c, resume, EDGE_FALSE_VALUE)->probability
    = profile_probability::even ();

  tree poll = poll_decl ();
  tree type = TYPE_MAIN_VARIANT (TREE_TYPE (poll));
  tree t = make_ssa_name (type);
  gimple_stmt_iterator gsi = gsi_last_bb (d);
  gimple *g = gimple_build_assign (t, poll);
  gimple_set_location (g, loc);
  gsi_insert_after (&gsi, g, GSI_NEW_STMT);
  g = gimple_build_cond (NE_EXPR, t, build_zero_cst (type), NULL_TREE,
			 NULL_TREE);
  gimple_set_location (g, loc);
  gsi_insert_after (&gsi, g, GSI_NEW_STMT);

  gsi = gsi_last_bb (c);
  gcall *call = gimple_build_call (preempt_decl (), 0);
  gimple_call_set_nothrow (call, true);
  gimple_set_location (call, loc);
  gsi_insert_after (&gsi, call, GSI_NEW_STMT);
  tree s = make_ssa_name (type);
  g = gimple_build_assign (s, poll);
  gimple_set_location (g, loc);
  gsi_insert_after (&gsi, g, GSI_NEW_STMT);
  tree stype = signed_type_for (type);
  tree ss = make_ssa_name (stype);
  g = gimple_build_assign (ss, NOP_EXPR, s);
  gsi_insert_after (&gsi, g, GSI_NEW_STMT);
  g = gimple_build_cond (LT_EXPR, ss, build_zero_cst (stype), NULL_TREE,
			 NULL_TREE);
  gimple_set_location (g, loc);
  gsi_insert_after (&gsi, g, GSI_NEW_STMT);
  return c;
}

/* A leaf body: no call (but internal functions) and no cycle, so its
   realtime body has no point and needs no frame.  */
static bool
leaf_body_p (function *fun)
{
  basic_block bb;
  mark_dfs_back_edges (fun);
  FOR_EACH_BB_FN (bb, fun)
    {
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	if (e->flags & EDGE_DFS_BACK)
	  return false;
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	   gsi_next (&gsi))
	if (is_gimple_call (gsi_stmt (gsi))
	    && !gimple_call_internal_p (gsi_stmt (gsi)))
	  return false;
    }
  return true;
}

/* Copy the blocks BODY (N of them); REGION gets the copies.  Returns the
   copy of ENTRY.  */
static basic_block
copy_body (basic_block *body, unsigned n, basic_block entry,
	   hash_set<basic_block> *region)
{
  auto_vec<basic_block> copies;
  copies.safe_grow (n);
  initialize_original_copy_tables ();
  if (current_loops)
    duplicate_loop_tree ();
  copy_bbs (body, n, copies.address (), NULL, 0, NULL, NULL,
	    EXIT_BLOCK_PTR_FOR_FN (cfun)->prev_bb, false);
  add_phi_args_after_copy (copies.address (), n, NULL);
  basic_block copy = get_bb_copy (entry);
  free_original_copy_tables ();
  for (unsigned i = 0; i < n; i++)
    region->add (copies[i]);
  return copy;
}

/* The register class (asm constraint letter) of a value of TYPE, and the
   move between two registers of it (*MOVE), or NULL.  x86-64.  */
static const char *
register_class (tree type, const char **move)
{
  if ((INTEGRAL_TYPE_P (type) || POINTER_TYPE_P (type))
      && TYPE_PRECISION (type) <= BITS_PER_WORD)
    {
      *move = TYPE_PRECISION (type) <= 32 ? "movl\t%k1, %k0" : "movq\t%1, %0";
      return "r";
    }
  if (SCALAR_FLOAT_TYPE_P (type) && TYPE_PRECISION (type) <= 64)
    {
      *move = "movaps\t%1, %0";
      return "x";
    }
  return NULL;
}

/* In REGION, use a copy of the incoming value DECL (a parameter, the
   result's address, the static chain) that an empty asm makes at the
   start of C.  Without it the register allocator may keep the value in a
   callee-saved register from the entry on (it lives across C's call),
   and the fast path would pay the saves.  */
static void
opaque_copy (function *fun, tree decl, basic_block c,
	     hash_set<basic_block> *region)
{
  tree def = decl ? ssa_default_def (fun, decl) : NULL_TREE;
  if (!def || has_zero_uses (def) || virtual_operand_p (def))
    return;
  const char *move;
  const char *cls = register_class (TREE_TYPE (def), &move);
  if (!cls || !TARGET_64BIT)
    return;
  /* Only for a value the region computes with: a copy for debug uses
     alone would make -g change the code (-fcompare-debug).  */
  imm_use_iterator it;
  gimple *use;
  bool used = false;
  FOR_EACH_IMM_USE_STMT (use, it, def)
    if (!is_gimple_debug (use) && region->contains (gimple_bb (use)))
      used = true;
  if (!used)
    return;
  /* A real move, input and output not tied: tied, the allocator gives
     the incoming value the copy's callee-saved register at the entry.  */
  tree copy = make_ssa_name (TREE_TYPE (def));
  char out_c[3] = { '=', cls[0], 0 };
  vec<tree, va_gc> *in = NULL, *out = NULL;
  vec_safe_push (out, build_tree_list (build_tree_list
	(NULL_TREE, build_string (2, out_c)), copy));
  vec_safe_push (in, build_tree_list (build_tree_list
	(NULL_TREE, build_string (1, cls)), def));
  gasm *a = gimple_build_asm_vec (move, in, out, NULL, NULL);
  gimple_asm_set_volatile (a, true);
  SSA_NAME_DEF_STMT (copy) = a;
  gimple_stmt_iterator gsi = gsi_after_labels (c);
  gsi_insert_before (&gsi, a, GSI_SAME_STMT);

  FOR_EACH_IMM_USE_STMT (use, it, def)
    if (use != a && region->contains (gimple_bb (use)))
      {
	use_operand_p u;
	FOR_EACH_IMM_USE_ON_STMT (u, it)
	  SET_USE (u, copy);
	update_stmt (use);
      }
}

/* The entry check of D reads the poll word through an address that an
   asm loads from the GOT: otherwise the address, loaded once, is reused
   by the slow path's reads after its call and kept in a callee-saved
   register from the entry on.  Only with -fPIC (without it the address
   is a constant) and for an external symbol (a local one is addressed
   relative to the instruction pointer).  x86-64 only.  */
static void
opaque_entry_poll (basic_block d)
{
  tree poll = poll_decl ();
  if (!flag_pic || !TARGET_64BIT || !(TREE_PUBLIC (poll) || DECL_EXTERNAL (poll)))
    return;
  const char *name = IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (poll));
  if (*name == '*')
    name++;
  for (gimple_stmt_iterator gsi = gsi_start_bb (d); !gsi_end_p (gsi);
       gsi_next (&gsi))
    {
      gimple *load = gsi_stmt (gsi);
      if (!gimple_assign_single_p (load) || gimple_assign_rhs1 (load) != poll)
	continue;
      tree ptype = build_pointer_type (TREE_TYPE (poll));
      tree addr = make_ssa_name (ptype);
      char *tmpl = ACONCAT (("movq\t", name, "@GOTPCREL(%%rip), %0", NULL));
      vec<tree, va_gc> *out = NULL;
      vec_safe_push (out, build_tree_list (build_tree_list
	    (NULL_TREE, build_string (2, "=r")), addr));
      gasm *a = gimple_build_asm_vec (ggc_strdup (tmpl), NULL, out, NULL,
				      NULL);
      SSA_NAME_DEF_STMT (addr) = a;
      gimple_set_location (a, gimple_location (load));
      gsi_insert_before (&gsi, a, GSI_SAME_STMT);
      tree ref = build2 (MEM_REF, TREE_TYPE (poll), addr,
			 build_int_cst (ptype, 0));
      TREE_THIS_VOLATILE (ref) = 1;
      TREE_SIDE_EFFECTS (ref) = 1;
      gimple_assign_set_rhs1 (load, ref);
      update_stmt (load);
      return;
    }
}

/* Two bodies, or three for a leaf function.  A leaf's realtime body
   needs no frame, but the slow path does (its call), and the simulation
   body does (its race-access calls): if the slow path joined the
   realtime body, the register allocator and the prologue would serve
   all paths from the entry on, and every call would pay the simulation
   body's frame (five pushes and pops around a six-instruction body).  So
   the slow path resumes in a copy of the realtime body (same points:
   none), GCC shrink-wraps the frame into the slow path, and the fast path
   is mode none's code plus the check.  The copy, not a restart of the
   function: a restart would check the poll word again, which stays set
   while another processor has a request pending (or the plugin harness
   keeps it set), and would not progress.  */
unsigned int
instrument_dual (function *fun)
{
  basic_block rt_entry = entry_block_for_point ();
  bool leaf = leaf_body_p (fun);
  auto_vec<basic_block> body;
  basic_block bb;
  FOR_EACH_BB_FN (bb, fun)
    body.safe_push (bb);
  unsigned n = body.length ();

  free_dominance_info (CDI_DOMINATORS);
  free_dominance_info (CDI_POST_DOMINATORS);
  hash_set<basic_block> rt_region, sim_region, copy_region;
  for (unsigned i = 0; i < n; i++)
    rt_region.add (body[i]);
  basic_block sim_entry = copy_body (body.address (), n, rt_entry,
				     &sim_region);
  basic_block resume = rt_entry;
  if (leaf)
    resume = copy_body (body.address (), n, rt_entry, &copy_region);

  basic_block c = build_dispatch (fun, sim_entry, resume);
  /* The copies define new SSA names (create_new_def_for); the dispatch
     reads __ntps_poll and calls: rename.  */
  mark_virtual_operands_for_renaming (fun);
  update_ssa (TODO_update_ssa);
  if (leaf)
    {
      hash_set<basic_block> slow;
      for (hash_set<basic_block>::iterator i = sim_region.begin ();
	   i != sim_region.end (); ++i)
	slow.add (*i);
      for (hash_set<basic_block>::iterator i = copy_region.begin ();
	   i != copy_region.end (); ++i)
	slow.add (*i);
      for (tree p = DECL_ARGUMENTS (fun->decl); p; p = DECL_CHAIN (p))
	opaque_copy (fun, p, c, &slow);
      opaque_copy (fun, DECL_RESULT (fun->decl), c, &slow);
      opaque_copy (fun, fun->static_chain_decl, c, &slow);
      opaque_entry_poll (single_pred (c));
    }

  /* The realtime body's small loops: one check for up to g_every iterations
     (points_unroll.cc).  Not the simulation body: it keeps mode full's
     points, one per iteration, for the seeds to schedule.  */
  unsigned unrolled = unroll_small_loops (fun, &rt_region);

  collector c_;
  /* Every body starts behind the dispatch's point.  */
  c_.silent = true;
  c_.entry (rt_entry);
  c_.entry (sim_entry);
  if (leaf)
    c_.entry (resume);
  c_.silent = false;
  collect_body (c_, fun, &sim_region, true);
  unsigned sim_edges = c_.n_edges, sim_mem = c_.n_mem;
  c_.realtime = true;
  collect_body (c_, fun, &rt_region, false);
  if (leaf)
    collect_body (c_, fun, &copy_region, false);
  c_.realtime = false;
  if (g_stats)
    fprintf (stderr, "%s: %s: dual: entry 1; realtime back-edges %u "
	     "(loops unrolled %u); simulation back-edges %u, memory %u; "
	     "checks %u%s\n",
	     g_plugin_name, function_name (fun), c_.n_edges - sim_edges,
	     unrolled, sim_edges, sim_mem, c_.reqs.length () + 1,
	     leaf ? "; leaf: realtime copy for the slow path" : "");
  apply_requests (fun, c_);
  return TODO_update_ssa_only_virtuals;
}

} // namespace ntps_points
