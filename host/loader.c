/*
 * host/loader.c - loading driver images (shared objects built by `ntps cc`)
 * into the process: dlopen, DriverEntry, the image's address range and its
 * /INTEGRITYCHECK mark. Runs on the host thread before the kernel boots, so
 * the dynamic loader never runs on a small NT stack.
 */
#include "host/host.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

typedef struct _HOST_RANGE {
    ULONG_PTR LoadBias;
    const char *Name;
    ULONG_PTR Low, High;
} HOST_RANGE;

static int HostFindRange(struct dl_phdr_info *Info, size_t Size, void *Data)
{
    (void)Size;
    HOST_RANGE *Range = Data;
    if (Info->dlpi_addr != Range->LoadBias || strcmp(Info->dlpi_name, Range->Name) != 0)
        return 0;
    Range->Low = ~(ULONG_PTR)0;
    for (int i = 0; i < Info->dlpi_phnum; i++) {
        const ElfW(Phdr) *P = &Info->dlpi_phdr[i];
        if (P->p_type != PT_LOAD)
            continue;
        ULONG_PTR Lo = Info->dlpi_addr + P->p_vaddr, Hi = Lo + P->p_memsz;
        if (Lo < Range->Low) Range->Low = Lo;
        if (Hi > Range->High) Range->High = Hi;
    }
    return 1;
}

/* Does the image's dynamic string table name Symbol (an import, for a
 * symbol the image does not define)? */
static BOOLEAN HostImportsName(const struct link_map *Map, const char *Symbol)
{
    const char *Strings = NULL;
    size_t Size = 0;
    for (const ElfW(Dyn) *Dyn = Map->l_ld; Dyn != NULL && Dyn->d_tag != DT_NULL; Dyn++) {
        if (Dyn->d_tag == DT_STRTAB)
            Strings = (const char *)Dyn->d_un.d_ptr;
        else if (Dyn->d_tag == DT_STRSZ)
            Size = Dyn->d_un.d_val;
    }
    if (Strings == NULL || Size == 0)
        return FALSE;
    if ((ElfW(Addr))Strings < Map->l_addr)
        Strings += Map->l_addr;     /* not relocated by the dynamic loader on this target */
    size_t Length = strlen(Symbol) + 1;
    for (size_t At = 0; At + Length <= Size; At += strlen(Strings + At) + 1)
        if (memcmp(Strings + At, Symbol, Length) == 0)
            return TRUE;
    return FALSE;
}

BOOLEAN HostLoadImage(const char *Path, PIO_DRIVER_IMAGE Image, char *Error, size_t ErrorSize)
{
    memset(Image, 0, sizeof(*Image));
    /* `--driver X.so` names a file, as on the command line of every other
     * tool: without a slash dlopen would search the library path instead. */
    char Local[4096];
    const char *Open = Path;
    if (strchr(Path, '/') == NULL && snprintf(Local, sizeof(Local), "./%s", Path) < (int)sizeof(Local))
        Open = Local;
    HalNoteHostChange();
    void *Handle = dlopen(Open, RTLD_NOW | RTLD_LOCAL);
    if (Handle == NULL) {
        snprintf(Error, ErrorSize, "%s", dlerror());
        return FALSE;
    }
    PDRIVER_INITIALIZE Entry = (PDRIVER_INITIALIZE)dlsym(Handle, "DriverEntry");
    if (Entry == NULL) {
        snprintf(Error, ErrorSize, "the image exports no DriverEntry");
        dlclose(Handle);
        return FALSE;
    }
    struct link_map *Map = NULL;
    if (dlinfo(Handle, RTLD_DI_LINKMAP, &Map) != 0 || Map == NULL) {
        snprintf(Error, ErrorSize, "cannot find the image's mapping");
        dlclose(Handle);
        return FALSE;
    }
    HOST_RANGE Range = { Map->l_addr, Map->l_name, 0, 0 };
    dl_iterate_phdr(HostFindRange, &Range);
    const USHORT *Characteristics = dlsym(Handle, "__ntps_image_characteristics");
    const char *Base = strrchr(Path, '/');
    PRTL_MODULE Module = RtlpRegisterModule((PVOID)Range.Low, Range.High - Range.Low, Base ? Base + 1 : Path, NULL,
                                            Handle);
    if (Module == NULL) {
        snprintf(Error, ErrorSize, "too many driver images");
        dlclose(Handle);
        return FALSE;
    }
    Image->Module = Module;
    Image->DriverEntry = Entry;
    if (HostImportsName(Map, "__ntps_race_access"))
        Module->Flags |= RTL_MODULE_MEMORY_POINTS;
    Image->IntegrityCheck = Characteristics != NULL && (*Characteristics & 0x0080) != 0;
    if (Image->IntegrityCheck)
        Module->Flags |= RTL_MODULE_FORCE_INTEGRITY;
    return TRUE;
}

VOID HostUnloadImage(PIO_DRIVER_IMAGE Image)
{
    if (Image->Module == NULL)
        return;
    void *Handle = Image->Module->Handle;
    RtlpUnregisterModule(Image->Module);
    Image->Module = NULL;
    HalNoteHostChange();
    dlclose(Handle);
}
