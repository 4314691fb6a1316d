/* ntps_points: a GCC plugin that compiles preemption points into driver code.

   ntps runs driver threads as fibers on virtual processors.  Driver code
   that never calls into the kernel must still be time-sliced, and the
   deterministic simulator must be able to switch threads between a load
   and a store of shared memory.  This plugin inserts, at every "point",

       extern volatile unsigned long __ntps_poll;
       void __ntps_preempt (void);
       if (__builtin_expect (__ntps_poll != 0, 0)) __ntps_preempt ();

   as real GIMPLE (a volatile load, a compare, a branch predicted not
   taken, and an ordinary memory-clobbering call on the cold path).

   Points (see README.md):
     entry   the start of every function body;
     edges   every DFS back edge of the CFG (so every cycle has one);
     memory  (mode=full only) before every load or store of memory that is
             not based on an automatic variable of the function.

   Arguments:  -fplugin-arg-ntps_points-mode=full|edges|none  (default full)
               -fplugin-arg-ntps_points-stats  (per-function counts on stderr)

   The pass runs right after the "optimized" pass, i.e. after all GIMPLE
   optimisations (loop optimisations, vectorizer, sanitizers) and just
   before RTL expansion.

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

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

int plugin_is_GPL_compatible;

namespace {

enum points_mode { POINTS_NONE, POINTS_EDGES, POINTS_FULL, POINTS_DUAL };

points_mode g_mode = POINTS_FULL;
bool g_stats = false;
bool g_races = false;		/* memory points pass their accesses */
const char *g_plugin_name = "ntps_points";

/* The two ABI symbols.  Roots for the garbage collector (see plugin_init).  */
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

/* ---------------------------------------------------------------------
   Classification of memory references.  */

/* True if the reference T (an operand of a load, store, call or asm)
   denotes memory another thread may access: anything whose base is not a
   parameter, the result or an automatic variable of this function.  IS_LOAD
   lets loads of read-only objects (constants, string literals) be skipped.  */
bool
shared_memory_ref_p (tree t, bool is_load)
{
  if (!t)
    return false;
  if (TREE_CODE (t) == WITH_SIZE_EXPR)
    t = TREE_OPERAND (t, 0);
  if (TREE_CODE (t) == SSA_NAME || CONSTANT_CLASS_P (t)
      || TREE_CODE (t) == ADDR_EXPR || TREE_CODE (t) == CONSTRUCTOR
      || is_gimple_min_invariant (t))
    return false;
  if (!(handled_component_p (t) || DECL_P (t) || TREE_CODE (t) == MEM_REF
	|| TREE_CODE (t) == TARGET_MEM_REF))
    return false;
  if (is_gimple_reg (t))
    return false;

  /* get_base_address looks through MEM_REF[&decl].  */
  tree base = get_base_address (t);
  if (!base)
    return true;
  switch (TREE_CODE (base))
    {
    case VAR_DECL:
      if (!is_global_var (base))
	return false;			/* automatic variable */
      if (DECL_HARD_REGISTER (base))
	return false;
      if (DECL_NAME (base) == get_identifier (POLL_NAME)
	  || base == g_poll_decl)
	return false;
      if (is_load && TREE_READONLY (base) && !TREE_THIS_VOLATILE (base))
	return false;			/* constant data */
      if (is_load && DECL_IN_CONSTANT_POOL (base))
	return false;
      return true;
    case PARM_DECL:
    case RESULT_DECL:
      return false;
    case MEM_REF:
    case TARGET_MEM_REF:
      {
	/* Through a pointer.  If points-to analysis proved the pointer
	   can only point to automatic variables or heap memory that do not
	   escape the function, no other thread can see the access.  */
	tree ptr = TREE_OPERAND (base, 0);
	if (TREE_CODE (ptr) == SSA_NAME && SSA_NAME_PTR_INFO (ptr)
	    && !ptr_deref_may_alias_global_p (ptr, true))
	  return false;
	return true;
      }
    default:
      /* FUNCTION_DECL, CONST_DECL, LABEL_DECL, STRING_CST, ...  */
      return false;
    }
}

bool
memory_builtin_p (gcall *call)
{
  if (gimple_call_internal_p (call))
    {
      switch (gimple_call_internal_fn (call))
	{
	case IFN_MASK_LOAD:
	case IFN_MASK_LOAD_LANES:
	case IFN_GATHER_LOAD:
	case IFN_MASK_GATHER_LOAD:
	case IFN_LEN_LOAD:
	case IFN_SCATTER_STORE:
	case IFN_MASK_SCATTER_STORE:
	case IFN_MASK_STORE:
	case IFN_MASK_STORE_LANES:
	case IFN_LEN_STORE:
	case IFN_ATOMIC_BIT_TEST_AND_SET:
	case IFN_ATOMIC_BIT_TEST_AND_COMPLEMENT:
	case IFN_ATOMIC_BIT_TEST_AND_RESET:
	case IFN_ATOMIC_COMPARE_EXCHANGE:
	case IFN_ATOMIC_ADD_FETCH_CMP_0:
	case IFN_ATOMIC_SUB_FETCH_CMP_0:
	case IFN_ATOMIC_AND_FETCH_CMP_0:
	case IFN_ATOMIC_OR_FETCH_CMP_0:
	case IFN_ATOMIC_XOR_FETCH_CMP_0:
	  return true;
	default:
	  return false;
	}
    }
  if (!gimple_call_builtin_p (call, BUILT_IN_NORMAL))
    return false;
  enum built_in_function code
    = DECL_FUNCTION_CODE (gimple_call_fndecl (call));
  if (code >= BUILT_IN_SYNC_FETCH_AND_ADD_N
      && code <= BUILT_IN_ATOMIC_SIGNAL_FENCE)
    return true;			/* __sync_* and __atomic_* */
  switch (code)
    {
    case BUILT_IN_MEMCPY:
    case BUILT_IN_MEMPCPY:
    case BUILT_IN_MEMMOVE:
    case BUILT_IN_MEMSET:
    case BUILT_IN_MEMCMP:
    case BUILT_IN_BCMP:
    case BUILT_IN_MEMCHR:
    case BUILT_IN_BZERO:
    case BUILT_IN_BCOPY:
    case BUILT_IN_STRCPY:
    case BUILT_IN_STPCPY:
    case BUILT_IN_STRNCPY:
    case BUILT_IN_STRCAT:
    case BUILT_IN_STRNCAT:
    case BUILT_IN_STRCMP:
    case BUILT_IN_STRNCMP:
    case BUILT_IN_STRLEN:
    case BUILT_IN_STRNLEN:
    case BUILT_IN_STRCHR:
    case BUILT_IN_STRRCHR:
      return true;
    default:
      return false;
    }
}

bool
returns_twice_call_p (gimple *stmt)
{
  return is_gimple_call (stmt)
	 && (gimple_call_flags (stmt) & ECF_RETURNS_TWICE) != 0;
}

/* True if STMT loads or stores shared memory (mode=full).  */
bool
accesses_shared_memory_p (gimple *stmt)
{
  switch (gimple_code (stmt))
    {
    case GIMPLE_ASSIGN:
      if (gimple_clobber_p (stmt))
	return false;
      if (shared_memory_ref_p (gimple_assign_lhs (stmt), false))
	return true;
      return gimple_assign_single_p (stmt)
	     && shared_memory_ref_p (gimple_assign_rhs1 (stmt), true);

    case GIMPLE_CALL:
      {
	gcall *call = as_a <gcall *> (stmt);
	if (gimple_call_internal_p (call, IFN_DEFERRED_INIT))
	  return false;
	if (memory_builtin_p (call))
	  return true;
	/* Aggregates passed or returned by value.  */
	if (shared_memory_ref_p (gimple_call_lhs (call), false))
	  return true;
	for (unsigned i = 0; i < gimple_call_num_args (call); i++)
	  if (shared_memory_ref_p (gimple_call_arg (call, i), true))
	    return true;
	return false;
      }

    case GIMPLE_ASM:
      {
	gasm *as = as_a <gasm *> (stmt);
	for (unsigned i = 0; i < gimple_asm_noutputs (as); i++)
	  if (shared_memory_ref_p (TREE_VALUE (gimple_asm_output_op (as, i)),
				   false))
	    return true;
	for (unsigned i = 0; i < gimple_asm_ninputs (as); i++)
	  if (shared_memory_ref_p (TREE_VALUE (gimple_asm_input_op (as, i)),
				   true))
	    return true;
	return false;
      }

    default:
      return false;
    }
}

/* ---------------------------------------------------------------------
   Insertion.

   A point is requested either before a statement (which must not be a
   label, a PHI, or a returns_twice call), or at the end of a block whose
   last statement does not end the block (AFTER), or in an empty block.
   Requests are collected first and applied afterwards, so that block
   splitting never invalidates the scan.  */

/* What a point is for.  Entry and back-edge points time-slice; memory
   points let the simulator switch threads between a load and a store.  */
enum point_kind { PK_ENTRY, PK_EDGE, PK_MEMORY };

struct point_req
{
  enum { BEFORE, AFTER, EMPTY_BB } where;
  point_kind kind;
  gimple *stmt;
  basic_block bb;
  location_t loc;
};

/* ---------------------------------------------------------------------
   The accesses of a memory point (the races argument).  Each is passed
   to the runtime as (address, info, site): info is size << 8 | write (1)
   | atomic (2) | no-point (4, all but the statement's last access), site
   a string "function\tfile:line:column" in the driver's read-only data.
   This is the one place that decides how a memory point is emitted.  */

const unsigned ACC_WRITE = 1, ACC_ATOMIC = 2, ACC_NO_POINT = 4;
const int ACC_SIZE_SHIFT = 8;

struct mem_access
{
  tree addr;			/* pointer-valued expression */
  tree size;			/* size in bytes (an INTEGER_CST or SSA value) */
  unsigned flags;
};

tree
size_tree (HOST_WIDE_INT n)
{
  return build_int_cst (long_unsigned_type_node, n > 0 ? n : 1);
}

/* Record the memory reference T (a shared one, see shared_memory_ref_p).  */
void
add_ref_access (vec<mem_access> *out, tree t, bool write)
{
  if (TREE_CODE (t) == WITH_SIZE_EXPR)
    t = TREE_OPERAND (t, 0);
  bool vol = TREE_THIS_VOLATILE (t) || TYPE_VOLATILE (TREE_TYPE (t));
  while (TREE_CODE (t) == REALPART_EXPR || TREE_CODE (t) == IMAGPART_EXPR
	 || TREE_CODE (t) == VIEW_CONVERT_EXPR
	 || TREE_CODE (t) == BIT_FIELD_REF)
    t = TREE_OPERAND (t, 0);
  if (TREE_CODE (t) == COMPONENT_REF
      && DECL_BIT_FIELD (TREE_OPERAND (t, 1)))
    {
      tree repr = DECL_BIT_FIELD_REPRESENTATIVE (TREE_OPERAND (t, 1));
      if (repr)
	t = build3 (COMPONENT_REF, TREE_TYPE (repr), TREE_OPERAND (t, 0),
		    repr, TREE_OPERAND (t, 2));
      else
	t = TREE_OPERAND (t, 0);
    }
  tree base = get_base_address (t);
  if (base && VAR_P (base))
    {
      if (DECL_HARD_REGISTER (base))
	return;
      TREE_ADDRESSABLE (base) = 1;
    }
  tree addr = TREE_CODE (t) == TARGET_MEM_REF
	      ? tree_mem_ref_addr (ptr_type_node, t)
	      : build_fold_addr_expr (unshare_expr (t));
  mem_access a = { addr, size_tree (int_size_in_bytes (TREE_TYPE (t))),
		   (write ? ACC_WRITE : 0u) | (vol ? ACC_ATOMIC : 0u) };
  out->safe_push (a);
}

void
add_ptr_access (vec<mem_access> *out, tree ptr, tree size, unsigned flags)
{
  if (!ptr || !POINTER_TYPE_P (TREE_TYPE (ptr)))
    return;
  mem_access a = { ptr, size ? size : size_tree (1), flags };
  out->safe_push (a);
}

/* The size an atomic builtin or internal function works on.  */
tree
atomic_size (gcall *call)
{
  tree lhs = gimple_call_lhs (call);
  if (lhs && INTEGRAL_TYPE_P (TREE_TYPE (lhs))
      && TYPE_PRECISION (TREE_TYPE (lhs)) > 1)
    return size_tree (int_size_in_bytes (TREE_TYPE (lhs)));
  if (gimple_call_num_args (call) > 1
      && INTEGRAL_TYPE_P (TREE_TYPE (gimple_call_arg (call, 1))))
    return size_tree (int_size_in_bytes (TREE_TYPE (gimple_call_arg (call, 1))));
  return size_tree (8);
}

void
call_accesses (gcall *call, vec<mem_access> *out)
{
  unsigned n = gimple_call_num_args (call);
  tree a0 = n > 0 ? gimple_call_arg (call, 0) : NULL_TREE;
  tree a1 = n > 1 ? gimple_call_arg (call, 1) : NULL_TREE;
  tree a2 = n > 2 ? gimple_call_arg (call, 2) : NULL_TREE;
  if (gimple_call_internal_p (call))
    {
      switch (gimple_call_internal_fn (call))
	{
	case IFN_ATOMIC_BIT_TEST_AND_SET:
	case IFN_ATOMIC_BIT_TEST_AND_COMPLEMENT:
	case IFN_ATOMIC_BIT_TEST_AND_RESET:
	case IFN_ATOMIC_COMPARE_EXCHANGE:
	case IFN_ATOMIC_ADD_FETCH_CMP_0:
	case IFN_ATOMIC_SUB_FETCH_CMP_0:
	case IFN_ATOMIC_AND_FETCH_CMP_0:
	case IFN_ATOMIC_OR_FETCH_CMP_0:
	case IFN_ATOMIC_XOR_FETCH_CMP_0:
	  {
	    /* the pointer is the first argument, except for the _CMP_0
	       forms, whose first is the comparison code */
	    tree p = POINTER_TYPE_P (TREE_TYPE (a0)) ? a0 : a1;
	    add_ptr_access (out, p, size_tree (8), ACC_WRITE | ACC_ATOMIC);
	    return;
	  }
	default:
	  return;		/* masked/gather/scatter: a point only */
	}
    }
  if (gimple_call_builtin_p (call, BUILT_IN_NORMAL))
    {
      enum built_in_function code
	= DECL_FUNCTION_CODE (gimple_call_fndecl (call));
      if (code >= BUILT_IN_SYNC_FETCH_AND_ADD_N
	  && code <= BUILT_IN_ATOMIC_SIGNAL_FENCE)
	{
	  bool load = (code >= BUILT_IN_ATOMIC_LOAD
		       && code <= BUILT_IN_ATOMIC_LOAD_16);
	  add_ptr_access (out, a0, atomic_size (call),
			  ACC_ATOMIC | (load ? 0u : ACC_WRITE));
	  return;
	}
      switch (code)
	{
	case BUILT_IN_MEMCPY:
	case BUILT_IN_MEMPCPY:
	case BUILT_IN_MEMMOVE:
	  add_ptr_access (out, a1, a2, 0);
	  add_ptr_access (out, a0, a2, ACC_WRITE);
	  return;
	case BUILT_IN_BCOPY:
	  add_ptr_access (out, a0, a2, 0);
	  add_ptr_access (out, a1, a2, ACC_WRITE);
	  return;
	case BUILT_IN_MEMSET:
	  add_ptr_access (out, a0, a2, ACC_WRITE);
	  return;
	case BUILT_IN_BZERO:
	  add_ptr_access (out, a0, a1, ACC_WRITE);
	  return;
	case BUILT_IN_MEMCMP:
	case BUILT_IN_BCMP:
	  add_ptr_access (out, a0, a2, 0);
	  add_ptr_access (out, a1, a2, 0);
	  return;
	case BUILT_IN_MEMCHR:
	  add_ptr_access (out, a0, a2, 0);
	  return;
	case BUILT_IN_STRCPY:
	case BUILT_IN_STPCPY:
	case BUILT_IN_STRNCPY:
	case BUILT_IN_STRCAT:
	case BUILT_IN_STRNCAT:
	  add_ptr_access (out, a1, NULL_TREE, 0);
	  add_ptr_access (out, a0, NULL_TREE, ACC_WRITE);
	  return;
	case BUILT_IN_STRCMP:
	case BUILT_IN_STRNCMP:
	  add_ptr_access (out, a0, NULL_TREE, 0);
	  add_ptr_access (out, a1, NULL_TREE, 0);
	  return;
	default:		/* strlen, strnlen, strchr, strrchr */
	  add_ptr_access (out, a0, NULL_TREE, 0);
	  return;
	}
    }
  /* aggregates passed or returned by value */
  for (unsigned i = 0; i < n; i++)
    if (shared_memory_ref_p (gimple_call_arg (call, i), true))
      add_ref_access (out, gimple_call_arg (call, i), false);
  if (shared_memory_ref_p (gimple_call_lhs (call), false))
    add_ref_access (out, gimple_call_lhs (call), true);
}

/* The accesses of STMT to shared memory, in the order they happen.  */
void
stmt_accesses (gimple *stmt, vec<mem_access> *out)
{
  switch (gimple_code (stmt))
    {
    case GIMPLE_ASSIGN:
      if (gimple_assign_single_p (stmt)
	  && shared_memory_ref_p (gimple_assign_rhs1 (stmt), true))
	add_ref_access (out, gimple_assign_rhs1 (stmt), false);
      if (shared_memory_ref_p (gimple_assign_lhs (stmt), false))
	add_ref_access (out, gimple_assign_lhs (stmt), true);
      return;
    case GIMPLE_CALL:
      call_accesses (as_a <gcall *> (stmt), out);
      return;
    case GIMPLE_ASM:
      {
	gasm *as = as_a <gasm *> (stmt);
	for (unsigned i = 0; i < gimple_asm_ninputs (as); i++)
	  {
	    tree op = TREE_VALUE (gimple_asm_input_op (as, i));
	    if (shared_memory_ref_p (op, true))
	      add_ref_access (out, op, false);
	  }
	for (unsigned i = 0; i < gimple_asm_noutputs (as); i++)
	  {
	    tree op = TREE_VALUE (gimple_asm_output_op (as, i));
	    if (shared_memory_ref_p (op, false))
	      add_ref_access (out, op, true);
	  }
	return;
      }
    default:
      return;
    }
}

/* "function\tfile:line:column" for an access at LOC: the function is the
   one the source line belongs to (an inlined callee's, not the caller's).  */
tree
site_string (location_t loc)
{
  tree fn = current_function_decl;
  for (tree b = LOCATION_BLOCK (loc); b && TREE_CODE (b) == BLOCK;
       b = BLOCK_SUPERCONTEXT (b))
    if (inlined_function_outer_scope_p (b))
      {
	tree origin = block_ultimate_origin (b);
	if (origin && TREE_CODE (origin) == FUNCTION_DECL)
	  fn = origin;
	break;
      }
  if (LOCATION_LOCUS (loc) == UNKNOWN_LOCATION)
    loc = DECL_SOURCE_LOCATION (current_function_decl);
  expanded_location x = expand_location (loc);
  const char *name = lang_hooks.decl_printable_name (fn, 1);
  char *text = xasprintf ("%s\t%s:%d:%d", name ? name : "?",
			  x.file ? x.file : "?", x.line, x.column);
  tree s = build_string_literal (strlen (text) + 1, text);
  free (text);
  return s;
}

/* Emit at GSI (the end of the point's cold block) the calls that pass
   MEM_STMT's accesses; FALSE if it has none to pass (the caller emits
   the plain __ntps_preempt call).  */
bool
emit_access_calls (gimple_stmt_iterator *gsi, gimple *mem_stmt, location_t loc)
{
  auto_vec<mem_access> accs;
  stmt_accesses (mem_stmt, &accs);
  if (accs.is_empty ())
    return false;
  tree site = site_string (gimple_location (mem_stmt) != UNKNOWN_LOCATION
			   ? gimple_location (mem_stmt) : loc);
  for (unsigned i = 0; i < accs.length (); i++)
    {
      mem_access &a = accs[i];
      unsigned flags = a.flags
		       | (i + 1 < accs.length () ? ACC_NO_POINT : 0u);
      tree addr = force_gimple_operand_gsi (gsi,
					    fold_convert (ptr_type_node, a.addr),
					    true, NULL_TREE, false,
					    GSI_CONTINUE_LINKING);
      tree size = fold_convert (long_unsigned_type_node, a.size);
      tree info = fold_build2 (BIT_IOR_EXPR, long_unsigned_type_node,
			       fold_build2 (LSHIFT_EXPR, long_unsigned_type_node,
					    size, build_int_cst (integer_type_node,
								 ACC_SIZE_SHIFT)),
			       build_int_cst (long_unsigned_type_node, flags));
      info = force_gimple_operand_gsi (gsi, info, true, NULL_TREE, false,
				       GSI_CONTINUE_LINKING);
      gcall *call = gimple_build_call (access_decl (), 3, addr, info, site);
      gimple_call_set_nothrow (call, true);
      gimple_set_location (call, loc);
      gsi_insert_after (gsi, call, GSI_NEW_STMT);
    }
  return true;
}

/* Insert the check so that it executes right after AFTER_STMT in BB
   (AFTER_STMT == NULL or a label: at the start of BB, after its labels).  */
void
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
void
emit_memory_point (const point_req &r, basic_block bb, gimple *after_stmt)
{
  insert_point (bb, after_stmt, r.loc,
		r.where == point_req::BEFORE ? r.stmt : NULL);
}

void
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

  void push (point_req r)
  {
    if (!silent)
      reqs.safe_push (r);
  }

  bool before (gimple *s, point_kind kind)
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
  bool in_block (basic_block bb, point_kind kind)
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
  void entry (basic_block bb)
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
};

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
     executes all of its points.  */
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
void
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
basic_block
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
bool
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
basic_block
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
const char *
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
void
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
void
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
  collect_body (c_, fun, &rt_region, false);
  if (leaf)
    collect_body (c_, fun, &copy_region, false);
  if (g_stats)
    fprintf (stderr, "%s: %s: dual: entry 1; realtime back-edges %u; "
	     "simulation back-edges %u, memory %u; checks %u%s\n",
	     g_plugin_name, function_name (fun), c_.n_edges - sim_edges,
	     sim_edges, sim_mem, c_.reqs.length () + 1,
	     leaf ? "; leaf: realtime copy for the slow path" : "");
  apply_requests (fun, c_);
  return TODO_update_ssa_only_virtuals;
}

unsigned int
instrument_function (function *fun)
{
  switch (g_mode)
    {
    case POINTS_EDGES:
      return instrument_single (fun, false);
    case POINTS_DUAL:
      /* Mode full where one body is all the simulator needs (no memory
	 points: full and edges place the same points) or all the plugin
	 can build (the body cannot be copied).  */
      if (dual_possible_p (fun)
	  && has_memory_points_p (fun, entry_block_for_point ()))
	return instrument_dual (fun);
      return instrument_single (fun, true);
    default:
      return instrument_single (fun, true);
    }
}

const pass_data points_pass_data = {
  GIMPLE_PASS,		/* type */
  "ntps_points",	/* name */
  OPTGROUP_NONE,	/* optinfo_flags */
  TV_NONE,		/* tv_id */
  PROP_ssa | PROP_cfg,	/* properties_required */
  0,			/* properties_provided */
  0,			/* properties_destroyed */
  0,			/* todo_flags_start */
  0,			/* todo_flags_finish */
};

class points_pass : public gimple_opt_pass
{
public:
  points_pass (gcc::context *ctxt)
    : gimple_opt_pass (points_pass_data, ctxt)
  {}

  bool gate (function *fun) final override
  {
    return g_mode != POINTS_NONE && !skip_function_p (fun->decl);
  }

  unsigned int execute (function *fun) final override
  {
    return instrument_function (fun);
  }
};

} // namespace

int
plugin_init (struct plugin_name_args *info, struct plugin_gcc_version *version)
{
  g_plugin_name = info->base_name;
  if (!plugin_default_version_check (version, &gcc_version))
    {
      error ("%s: built for GCC %s but loaded into GCC %s; rebuild the plugin",
	     info->base_name, gcc_version.basever, version->basever);
      return 1;
    }

  for (int i = 0; i < info->argc; i++)
    {
      const char *key = info->argv[i].key;
      const char *value = info->argv[i].value;
      if (strcmp (key, "mode") == 0)
	{
	  if (value && strcmp (value, "full") == 0)
	    g_mode = POINTS_FULL;
	  else if (value && strcmp (value, "edges") == 0)
	    g_mode = POINTS_EDGES;
	  else if (value && strcmp (value, "dual") == 0)
	    g_mode = POINTS_DUAL;
	  else if (value && strcmp (value, "none") == 0)
	    g_mode = POINTS_NONE;
	  else
	    {
	      error ("%s: unknown mode %qs in %<-fplugin-arg-%s-mode%>; "
		     "expected %<full%>, %<dual%>, %<edges%> or %<none%>",
		     info->base_name, value ? value : "", info->base_name);
	      return 1;
	    }
	}
      else if (strcmp (key, "stats") == 0 && !value)
	g_stats = true;
      else if (strcmp (key, "races") == 0 && !value)
	g_races = true;
      else
	{
	  error ("%s: unknown argument %<-fplugin-arg-%s-%s%s%s%>; "
		 "known: %<mode=full|dual|edges|none%>, %<stats%>, %<races%>",
		 info->base_name, info->base_name, key, value ? "=" : "",
		 value ? value : "");
	  return 1;
	}
    }

  static struct plugin_info pinfo = {
    "1.0",
    "Inserts ntps preemption points: "
    "if (__ntps_poll) __ntps_preempt ();\n"
    "  -fplugin-arg-ntps_points-mode=full|dual|edges|none (default full)\n"
    "  -fplugin-arg-ntps_points-stats                  per-function counts\n"
    "  -fplugin-arg-ntps_points-races                  memory points pass\n"
    "      (address, size << 8 | write | atomic | no-point, \"function\\tfile:line:col\")\n"
    "      to __ntps_race_access instead of calling __ntps_preempt"
  };
  register_callback (info->base_name, PLUGIN_INFO, NULL, &pinfo);
  register_callback (info->base_name, PLUGIN_REGISTER_GGC_ROOTS, NULL,
		     const_cast <ggc_root_tab *> (g_roots));

  if (g_mode == POINTS_NONE)
    return 0;

  struct register_pass_info pass_info;
  pass_info.pass = new points_pass (g);
  pass_info.reference_pass_name = "optimized";
  pass_info.ref_pass_instance_number = 1;
  pass_info.pos_op = PASS_POS_INSERT_AFTER;
  register_callback (info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL,
		     &pass_info);
  return 0;
}
