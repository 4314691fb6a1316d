/*
 * cm/ktm.c - the Kernel Transaction Manager's routines (ddk/ktm.h): not
 * implemented yet. Each returns STATUS_NOT_IMPLEMENTED and says so once on
 * the debug output, so a driver's transacted path fails the way it
 * reports failures (regfltr: "KTM data structures were not successfully
 * created") and its other paths run. The object types exist as exports
 * (drivers pass *TmTransactionObjectType) but no such object is ever made.
 * Kept with the registry, whose transacted opens are the DDIs drivers use.
 */
#include "cm/cm.h"

static POBJECT_TYPE CmpNoKtmType;
POBJECT_TYPE *TmTransactionManagerObjectType = &CmpNoKtmType;
POBJECT_TYPE *TmResourceManagerObjectType = &CmpNoKtmType;
POBJECT_TYPE *TmEnlistmentObjectType = &CmpNoKtmType;
POBJECT_TYPE *TmTransactionObjectType = &CmpNoKtmType;

#define CMP_NO_KTM(Name) do { static volatile ULONG Reported; return RtlpNotImplemented(Name, &Reported); } while (0)

NTSTATUS ZwCreateTransactionManager(PHANDLE TmHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    PUNICODE_STRING LogFileName, ULONG CreateOptions, ULONG CommitStrength)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)LogFileName, (void)CreateOptions, (void)CommitStrength;
    if (TmHandle != NULL)
        *TmHandle = NULL;
    CMP_NO_KTM("ZwCreateTransactionManager");
}

NTSTATUS ZwCreateResourceManager(PHANDLE ResourceManagerHandle, ACCESS_MASK DesiredAccess, HANDLE TmHandle,
                                 LPGUID ResourceManagerGuid, POBJECT_ATTRIBUTES ObjectAttributes, ULONG CreateOptions,
                                 PUNICODE_STRING Description)
{
    (void)DesiredAccess, (void)TmHandle, (void)ResourceManagerGuid, (void)ObjectAttributes, (void)CreateOptions;
    (void)Description;
    if (ResourceManagerHandle != NULL)
        *ResourceManagerHandle = NULL;
    CMP_NO_KTM("ZwCreateResourceManager");
}

NTSTATUS ZwCreateEnlistment(PHANDLE EnlistmentHandle, ACCESS_MASK DesiredAccess, HANDLE ResourceManagerHandle,
                            HANDLE TransactionHandle, POBJECT_ATTRIBUTES ObjectAttributes, ULONG CreateOptions,
                            NOTIFICATION_MASK NotificationMask, PVOID EnlistmentKey)
{
    (void)DesiredAccess, (void)ResourceManagerHandle, (void)TransactionHandle, (void)ObjectAttributes;
    (void)CreateOptions, (void)NotificationMask, (void)EnlistmentKey;
    if (EnlistmentHandle != NULL)
        *EnlistmentHandle = NULL;
    CMP_NO_KTM("ZwCreateEnlistment");
}

NTSTATUS ZwCreateTransaction(PHANDLE TransactionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             LPGUID Uow, HANDLE TmHandle, ULONG CreateOptions, ULONG IsolationLevel,
                             ULONG IsolationFlags, PLARGE_INTEGER Timeout, PUNICODE_STRING Description)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)Uow, (void)TmHandle, (void)CreateOptions;
    (void)IsolationLevel, (void)IsolationFlags, (void)Timeout, (void)Description;
    if (TransactionHandle != NULL)
        *TransactionHandle = NULL;
    CMP_NO_KTM("ZwCreateTransaction");
}

NTSTATUS ZwOpenTransaction(PHANDLE TransactionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           LPGUID Uow, HANDLE TmHandle)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)Uow, (void)TmHandle;
    if (TransactionHandle != NULL)
        *TransactionHandle = NULL;
    CMP_NO_KTM("ZwOpenTransaction");
}

NTSTATUS ZwCommitTransaction(HANDLE TransactionHandle, BOOLEAN Wait)
{
    (void)TransactionHandle, (void)Wait;
    CMP_NO_KTM("ZwCommitTransaction");
}

NTSTATUS ZwRollbackTransaction(HANDLE TransactionHandle, BOOLEAN Wait)
{
    (void)TransactionHandle, (void)Wait;
    CMP_NO_KTM("ZwRollbackTransaction");
}

NTSTATUS ZwCreateKeyTransacted(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, HANDLE TransactionHandle,
                               PULONG Disposition)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)TitleIndex, (void)Class, (void)CreateOptions;
    (void)TransactionHandle, (void)Disposition;
    if (KeyHandle != NULL)
        *KeyHandle = NULL;
    CMP_NO_KTM("ZwCreateKeyTransacted");
}

NTSTATUS ZwOpenKeyTransacted(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             HANDLE TransactionHandle)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)TransactionHandle;
    if (KeyHandle != NULL)
        *KeyHandle = NULL;
    CMP_NO_KTM("ZwOpenKeyTransacted");
}

NTSTATUS TmEnableCallbacks(PKRESOURCEMANAGER ResourceManager, PTM_RM_NOTIFICATION CallbackRoutine, PVOID RMKey)
{
    (void)ResourceManager, (void)CallbackRoutine, (void)RMKey;
    CMP_NO_KTM("TmEnableCallbacks");
}

NTSTATUS TmCommitComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock)
{
    (void)Enlistment, (void)TmVirtualClock;
    CMP_NO_KTM("TmCommitComplete");
}

NTSTATUS TmRollbackComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock)
{
    (void)Enlistment, (void)TmVirtualClock;
    CMP_NO_KTM("TmRollbackComplete");
}

NTSTATUS TmPrepareComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock)
{
    (void)Enlistment, (void)TmVirtualClock;
    CMP_NO_KTM("TmPrepareComplete");
}
