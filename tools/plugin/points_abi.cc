/* ntps_points: the runtime's symbols: the poll word, the preempt call and
   the race-access call, as the unit declares them or as the plugin
   builds them.

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#include "points.h"

namespace ntps_points {

/* The ABI symbols.  Roots for the garbage collector (see plugin_init).  */
tree g_poll_decl;
tree g_preempt_decl;
tree g_access_decl;

const struct ggc_root_tab g_roots[] = {
  { &g_access_decl, 1, sizeof (g_access_decl), &gt_ggc_mx_tree_node,
    &gt_pch_nx_tree_node },
  { &g_poll_decl, 1, sizeof (g_poll_decl), &gt_ggc_mx_tree_node,
    &gt_pch_nx_tree_node },
  { &g_preempt_decl, 1, sizeof (g_preempt_decl), &gt_ggc_mx_tree_node,
    &gt_pch_nx_tree_node },
  LAST_GGC_ROOT_TAB
};

const char POLL_NAME[] = "__ntps_poll";
const char PREEMPT_NAME[] = "__ntps_preempt";
const char ACCESS_NAME[] = "__ntps_race_access";

/* ---------------------------------------------------------------------
   The ABI declarations.  If the translation unit itself defines or
   declares the symbols with a usable type (the test harness does), reuse
   its declarations; otherwise build external ones.  */

tree
poll_decl ()
{
  if (g_poll_decl)
    return g_poll_decl;
  tree id = get_identifier (POLL_NAME);
  if (varpool_node *n = varpool_node::get_for_asmname (id))
    {
      tree d = n->decl;
      if (TREE_CODE (d) == VAR_DECL && TREE_THIS_VOLATILE (d)
	  && INTEGRAL_TYPE_P (TREE_TYPE (d))
	  && !DECL_THREAD_LOCAL_P (d))
	return g_poll_decl = d;
    }
  tree type = build_qualified_type (long_unsigned_type_node,
				    TYPE_QUAL_VOLATILE);
  tree d = build_decl (UNKNOWN_LOCATION, VAR_DECL, id, type);
  TREE_PUBLIC (d) = 1;
  DECL_EXTERNAL (d) = 1;
  TREE_STATIC (d) = 0;
  TREE_THIS_VOLATILE (d) = 1;
  TREE_SIDE_EFFECTS (d) = 1;
  TREE_USED (d) = 1;
  DECL_ARTIFICIAL (d) = 1;
  DECL_IGNORED_P (d) = 1;
  return g_poll_decl = d;
}

tree
preempt_decl ()
{
  if (g_preempt_decl)
    return g_preempt_decl;
  tree id = get_identifier (PREEMPT_NAME);
  if (cgraph_node *n = cgraph_node::get_for_asmname (id))
    {
      tree d = n->decl;
      tree t = TREE_TYPE (d);
      if (TREE_CODE (d) == FUNCTION_DECL && TREE_CODE (t) == FUNCTION_TYPE
	  && VOID_TYPE_P (TREE_TYPE (t))
	  && (TYPE_ARG_TYPES (t) == NULL_TREE
	      || TYPE_ARG_TYPES (t) == void_list_node))
	return g_preempt_decl = d;
    }
  tree type = build_function_type_list (void_type_node, NULL_TREE);
  /* build_fn_decl: public, external, artificial, nothrow.  Deliberately
     not const, pure or leaf: the callee may switch threads, which may run
     any code of this unit and change any memory.  */
  tree d = build_fn_decl (PREEMPT_NAME, type);
  DECL_IGNORED_P (d) = 1;
  return g_preempt_decl = d;
}

/* void __ntps_race_access (void *addr, unsigned long info, const char *site):
   the memory point of mode=full with the races argument.  */
tree
access_decl ()
{
  if (g_access_decl)
    return g_access_decl;
  tree type = build_function_type_list (void_type_node, ptr_type_node,
					long_unsigned_type_node,
					const_ptr_type_node, NULL_TREE);
  tree d = build_fn_decl (ACCESS_NAME, type);
  DECL_IGNORED_P (d) = 1;
  return g_access_decl = d;
}

} // namespace ntps_points
