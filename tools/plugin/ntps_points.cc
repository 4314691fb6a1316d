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

   The files: points.h (what they share, and which file does what).

   Copyright (c) the ntps authors.  MIT licence (see the repository).  */

#include "points.h"

int plugin_is_GPL_compatible;

namespace ntps_points {

points_mode g_mode = POINTS_FULL;
bool g_stats = false;
bool g_races = false;		/* memory points pass their accesses */
unsigned g_every = 8;		/* dual: small loops unrolled up to 8 times */
const char *g_plugin_name = "ntps_points";

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

} // namespace ntps_points

using namespace ntps_points;

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
      else if (strcmp (key, "every") == 0)
	{
	  char *end = NULL;
	  unsigned long n = value ? strtoul (value, &end, 10) : 0;
	  if (!value || *end || n < 1 || n > 64 || (n & (n - 1)))
	    {
	      error ("%s: bad value %qs in %<-fplugin-arg-%s-every%>; expected "
		     "a power of two from 1 to 64", info->base_name,
		     value ? value : "", info->base_name);
	      return 1;
	    }
	  g_every = n;
	}
      else
	{
	  error ("%s: unknown argument %<-fplugin-arg-%s-%s%s%s%>; "
		 "known: %<mode=full|dual|edges|none%>, %<stats%>, %<races%>, "
		 "%<every=N%>",
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
    "  -fplugin-arg-ntps_points-every=N                mode dual, realtime: a small\n"
    "      innermost loop is unrolled up to N times, one check for the copies\n"
    "      (default 8; 1: not unrolled)\n"
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
