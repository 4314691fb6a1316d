/*
 * ddk/sal.h - source annotations (SAL) and compiler-specific keywords that
 * driver sources use. On GCC they only need to disappear.
 */
#ifndef _NTPS_DDK_SAL_H
#define _NTPS_DDK_SAL_H

#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(s)
#define _In_reads_opt_(s)
#define _In_reads_bytes_(s)
#define _In_reads_bytes_opt_(s)
#define _In_range_(l, h)
#define _Out_
#define _Out_opt_
#define _Out_writes_(s)
#define _Out_writes_opt_(s)
#define _Out_writes_bytes_(s)
#define _Out_writes_bytes_opt_(s)
#define _Out_writes_bytes_to_(s, c)
#define _Out_writes_bytes_to_opt_(s, c)
#define _Out_writes_to_(s, c)
#define _Out_writes_z_(s)
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_updates_(s)
#define _Inout_updates_bytes_(s)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_buffer_(s)
#define _Outptr_result_bytebuffer_(s)
#define _Deref_out_range_(l, h)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(l, h)
#define _Post_maybenull_
#define _Post_notnull_
#define _Post_writable_byte_size_(s)
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(e)
#define _Return_type_success_(e)
#define _Printf_format_string_
#define _Field_size_(s)
#define _Field_size_bytes_(s)
#define _Field_size_bytes_part_(s, c)
#define _Field_range_(l, h)
#define _Field_z_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Reserved_
#define _Strict_type_match_
#define _Points_to_data_
#define _Literal_
#define _Notliteral_
#define _Analysis_assume_(e)
#define _Analysis_noreturn_
#define _Use_decl_annotations_
#define _Dispatch_type_(t)
#define _Function_class_(c)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Kernel_clear_do_init_(v)
#define _Kernel_requires_resource_held_(r)
#define _Kernel_requires_resource_not_held_(r)
#define _Kernel_acquires_resource_(r)
#define _Kernel_releases_resource_(r)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Acquires_exclusive_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_shared_lock_(l)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Guarded_by_(l)
#define _Interlocked_
#define _Interlocked_operand_
#define _IRQL_requires_(i)
#define _IRQL_requires_max_(i)
#define _IRQL_requires_min_(i)
#define _IRQL_requires_same_
#define _IRQL_raises_(i)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(k, p)
#define _IRQL_restores_global_(k, p)
#define _IRQL_always_function_max_(i)
#define _IRQL_always_function_min_(i)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _When_(c, a)
#define _At_(t, a)
#define _At_buffer_(t, i, c, a)
#define _On_failure_(a)
#define _Always_(a)
#define _Struct_size_bytes_(s)
#define _Writable_bytes_(s)
#define _Readable_bytes_(s)
#define _Unreferenced_parameter_
#define _Maybe_raises_SEH_exception_
#define _Raises_SEH_exception_
#define _Enum_is_bitflag_
#define _Pre_satisfies_(c)
#define _Post_satisfies_(c)
#define _Pre_defensive_
#define _Post_defensive_
#define _In_NLS_string_(s)
#define _Post_equal_to_(e)
#define _Ret_z_
#define _Deref_pre_maybenull_
#define _Deref_post_maybenull_
#define __drv_aliasesMem
#define __drv_allocatesMem(k)
#define __drv_freesMem(k)
#define __drv_maxIRQL(i)
#define __drv_minIRQL(i)
#define __drv_requiresIRQL(i)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_setsIRQL(i)
#define __drv_raisesIRQL(i)
#define __drv_dispatchType(t)
#define __drv_functionClass(c)
#define __drv_when(c, a)
#define __drv_strictTypeMatch(m)
#define __drv_inTry
#define __drv_notInTry
#define __drv_valueIs(v)
#define __drv_useCancelIRQL
#define __drv_acquiresCancelSpinLock
#define __drv_releasesCancelSpinLock
/* The legacy SAL names: in C only. The C++ library names its own
 * parameters __in and __out. */
#ifndef __cplusplus
#define __in
#define __out
#define __inout
#define __in_opt
#define __out_opt
#define __inout_opt
#define __in_bcount(s)
#define __out_bcount(s)
#define __in_ecount(s)
#define __out_ecount(s)
#define __deref_out
#define __checkReturn
#define __reserved
#endif
#define __analysis_assume(e)

#include <ddk/sal_more.h>

/* MSVC keywords and pragmas drivers use. */
#define __pragma(x) _Pragma(#x)
/* MSVC's single-underscore calling conventions (no-ops on x64). */
#ifndef _cdecl
#define _cdecl
#endif
#ifndef _stdcall
#define _stdcall
#endif
#ifndef _fastcall
#define _fastcall
#endif
#define __declspec(x) __ntps_declspec_##x
#define __ntps_declspec_noinline __attribute__((noinline))
#define __ntps_declspec_noreturn __attribute__((noreturn))
#define __ntps_declspec_dllexport __attribute__((visibility("default")))
#define __ntps_declspec_dllimport
#define __ntps_declspec_selectany __attribute__((weak))
#define __ntps_declspec_thread __thread
#define __ntps_declspec_restrict
#define __ntps_declspec_novtable
#define __ntps_declspec_nothrow
#define __ntps_declspec_allocate(s)
#define __ntps_declspec_code_seg(s)
#define __ntps_declspec_deprecated __attribute__((deprecated))
#define __ntps_declspec_align(x) __attribute__((aligned(x)))
#define __annotation(...) ((void)0)
#define __assume(e) ((void)0)
#define __noop(...) ((void)0)
/* Visual C++'s function-name macros. Its names are string literals; here
 * they are __func__ (a character array: "%s" of it prints the same name).
 * __FUNCDNAME__ is the decorated name there: the same for a C function on
 * x64, the MSVC-mangled name for C++ ones (here the plain name). */
#ifndef __FUNCDNAME__
#define __FUNCDNAME__ __func__
#endif
#ifndef __FUNCSIG__
#define __FUNCSIG__ __PRETTY_FUNCTION__
#endif
/* int3: the breakpoint exception, STATUS_BREAKPOINT */
#define __debugbreak() __asm__ volatile("int3")
#define _ReturnAddress() __builtin_return_address(0)
#define _AddressOfReturnAddress() ((PVOID)((PCHAR)__builtin_frame_address(0) + sizeof(PVOID)))

#endif /* _NTPS_DDK_SAL_H */
