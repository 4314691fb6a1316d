/* ntps_points: which statements load or store memory another thread may
   see, and (the races argument) the accesses a memory point passes
   to __ntps_race_access.

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#include "points.h"

namespace ntps_points {

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

/* The internal functions that are atomic read-modify-writes of memory. */
static bool
atomic_ifn_p (internal_fn fn)
{
  switch (fn)
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
      return true;
    default:
      return false;
    }
}

static bool
memory_builtin_p (gcall *call)
{
  if (gimple_call_internal_p (call))
    {
      internal_fn fn = gimple_call_internal_fn (call);
      if (atomic_ifn_p (fn))
	return true;
      switch (fn)
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

static tree
size_tree (HOST_WIDE_INT n)
{
  return build_int_cst (long_unsigned_type_node, n > 0 ? n : 1);
}

/* Record the memory reference T (a shared one, see shared_memory_ref_p).  */
static void
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

static void
add_ptr_access (vec<mem_access> *out, tree ptr, tree size, unsigned flags)
{
  if (!ptr || !POINTER_TYPE_P (TREE_TYPE (ptr)))
    return;
  mem_access a = { ptr, size ? size : size_tree (1), flags };
  out->safe_push (a);
}

/* The size an atomic builtin or internal function works on.  */
static tree
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

static void
call_accesses (gcall *call, vec<mem_access> *out)
{
  unsigned n = gimple_call_num_args (call);
  tree a0 = n > 0 ? gimple_call_arg (call, 0) : NULL_TREE;
  tree a1 = n > 1 ? gimple_call_arg (call, 1) : NULL_TREE;
  tree a2 = n > 2 ? gimple_call_arg (call, 2) : NULL_TREE;
  if (gimple_call_internal_p (call))
    {
      if (!atomic_ifn_p (gimple_call_internal_fn (call)))
	return;			/* masked/gather/scatter: a point only */
      /* the pointer is the first argument, except for the _CMP_0 forms,
	 whose first is the comparison code */
      tree p = POINTER_TYPE_P (TREE_TYPE (a0)) ? a0 : a1;
      add_ptr_access (out, p, size_tree (8), ACC_WRITE | ACC_ATOMIC);
      return;
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
static void
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
static tree
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

} // namespace ntps_points
