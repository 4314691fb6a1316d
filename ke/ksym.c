/*
 * ke/ksym.c - names for addresses in bug-check backtraces. dladdr only sees
 * exported symbols, and drivers and the kernel are built with hidden
 * visibility, so most functions (every static one) would show as
 * module+offset. This reads the module file's ELF .symtab instead.
 *
 * It runs while the machine is stopping, possibly from a signal handler:
 * only open/mmap/munmap/close, no allocation, no locks.
 */
#include "ke/ke.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct _KI_ELF_IMAGE {
    const UCHAR *Base;
    SIZE_T Size;
} KI_ELF_IMAGE;

static BOOLEAN KiElfInRange(const KI_ELF_IMAGE *Image, ULONG_PTR Offset, ULONG_PTR Length)
{
    return Offset <= Image->Size && Length <= Image->Size - Offset;
}

/* The function symbol of SYMTAB (or DYNSYM) containing the link-time
 * address Vaddr; its name is copied to Name. */
static BOOLEAN KiElfFindInTable(const KI_ELF_IMAGE *Image, const Elf64_Shdr *Table, const Elf64_Shdr *Strings,
                                ULONG_PTR Vaddr, PCHAR Name, SIZE_T NameSize, ULONG_PTR *Displacement)
{
    if (Table->sh_entsize != sizeof(Elf64_Sym) || !KiElfInRange(Image, Table->sh_offset, Table->sh_size) ||
        !KiElfInRange(Image, Strings->sh_offset, Strings->sh_size))
        return FALSE;
    const Elf64_Sym *Symbols = (const Elf64_Sym *)(Image->Base + Table->sh_offset);
    SIZE_T Count = Table->sh_size / sizeof(Elf64_Sym);
    const Elf64_Sym *Best = NULL;
    for (SIZE_T i = 0; i < Count; i++) {
        const Elf64_Sym *S = &Symbols[i];
        /* functions, and data objects (a lock a report names) */
        UCHAR Type = ELF64_ST_TYPE(S->st_info);
        if ((Type != STT_FUNC && (Type != STT_OBJECT || S->st_size == 0)) || S->st_shndx == SHN_UNDEF ||
            S->st_value > Vaddr)
            continue;
        BOOLEAN Inside = Vaddr < S->st_value + (S->st_size ? S->st_size : 1);
        if (Inside && (Best == NULL || S->st_value > Best->st_value))
            Best = S;
    }
    if (Best == NULL || Best->st_name >= Strings->sh_size)
        return FALSE;
    const char *Text = (const char *)Image->Base + Strings->sh_offset + Best->st_name;
    SIZE_T Max = Strings->sh_size - Best->st_name;
    SIZE_T Length = strnlen(Text, Max < NameSize - 1 ? Max : NameSize - 1);
    memcpy(Name, Text, Length);
    Name[Length] = 0;
    *Displacement = Vaddr - Best->st_value;
    return Length != 0;
}

static BOOLEAN KiElfFind(const KI_ELF_IMAGE *Image, ULONG_PTR Vaddr, PCHAR Name, SIZE_T NameSize,
                         ULONG_PTR *Displacement)
{
    const Elf64_Ehdr *Header = (const Elf64_Ehdr *)Image->Base;
    if (Image->Size < sizeof(*Header) || memcmp(Header->e_ident, ELFMAG, SELFMAG) != 0 ||
        Header->e_ident[EI_CLASS] != ELFCLASS64 || Header->e_shentsize != sizeof(Elf64_Shdr) ||
        !KiElfInRange(Image, Header->e_shoff, (ULONG_PTR)Header->e_shnum * sizeof(Elf64_Shdr)))
        return FALSE;
    const Elf64_Shdr *Sections = (const Elf64_Shdr *)(Image->Base + Header->e_shoff);
    /* the full table first; the dynamic one if the file was stripped */
    for (int Pass = 0; Pass < 2; Pass++) {
        ULONG Wanted = Pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
        for (ULONG i = 0; i < Header->e_shnum; i++) {
            if (Sections[i].sh_type != Wanted || Sections[i].sh_link >= Header->e_shnum)
                continue;
            if (KiElfFindInTable(Image, &Sections[i], &Sections[Sections[i].sh_link], Vaddr, Name, NameSize,
                                 Displacement))
                return TRUE;
        }
    }
    return FALSE;
}

/* Offset is the address minus the module's load base (for a shared object
 * or a PIE, the link-time address). */
BOOLEAN KiLookupElfSymbol(PCSTR Path, ULONG_PTR Offset, PCHAR Name, SIZE_T NameSize, ULONG_PTR *Displacement)
{
    if (Path == NULL || Path[0] == 0 || NameSize < 2)
        return FALSE;
    int Fd = open(Path, O_RDONLY | O_CLOEXEC);
    if (Fd < 0)
        return FALSE;
    struct stat Stat;
    BOOLEAN Found = FALSE;
    if (fstat(Fd, &Stat) == 0 && Stat.st_size > 0) {
        PVOID Map = mmap(NULL, (SIZE_T)Stat.st_size, PROT_READ, MAP_PRIVATE, Fd, 0);
        if (Map != MAP_FAILED) {
            KI_ELF_IMAGE Image = { Map, (SIZE_T)Stat.st_size };
            Found = KiElfFind(&Image, Offset, Name, NameSize, Displacement);
            munmap(Map, (SIZE_T)Stat.st_size);
        }
    }
    close(Fd);
    return Found;
}
