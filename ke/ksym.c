/*
 * ke/ksym.c - names for addresses in bug-check backtraces and traces.
 * dladdr only sees exported symbols, and drivers and the kernel are built
 * with hidden visibility, so most functions (every static one) would show
 * as module+offset. This reads the module file's ELF .symtab instead.
 *
 * It runs while the machine is stopping, possibly from a signal handler:
 * only open/pread/close, no allocation, no waiting. The symbol table is
 * read in pieces into a static buffer (taken with an atomic exchange; a
 * caller that finds it taken uses a small one on its stack), not mapped:
 * mapping the file, faulting the table in and unmapping it (which flushes
 * other processors' TLBs) cost a quarter of a millisecond a look-up on a
 * virtual machine, paid per routine by a trace naming its callbacks.
 */
#include "ke/ke.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KI_ELF_HEADERS 8                /* section headers read at a time (512 bytes of stack) */
#define KI_ELF_SMALL 16                 /* symbols read at a time without the static buffer */

typedef struct _KI_ELF_FILE {
    int Fd;
    ULONG64 Size;
    Elf64_Sym *Symbols;                 /* where symbols are read, SymbolCount at a time */
    SIZE_T SymbolCount;
} KI_ELF_FILE;

static Elf64_Sym KiElfSymbols[2730];     /* 64 KiB */
static volatile LONG KiElfSymbolsBusy;

static BOOLEAN KiElfInRange(const KI_ELF_FILE *File, ULONG64 Offset, ULONG64 Length)
{
    return Offset <= File->Size && Length <= File->Size - Offset;
}

/* Length bytes at Offset, all of them. */
static BOOLEAN KiElfRead(const KI_ELF_FILE *File, PVOID Buffer, SIZE_T Length, ULONG64 Offset)
{
    if (!KiElfInRange(File, Offset, Length))
        return FALSE;
    for (SIZE_T Done = 0; Done < Length;) {
        ssize_t n = pread(File->Fd, (PCHAR)Buffer + Done, Length - Done, (off_t)(Offset + Done));
        if (n <= 0)
            return FALSE;
        Done += (SIZE_T)n;
    }
    return TRUE;
}

/* The function symbol of SYMTAB (or DYNSYM) containing the link-time
 * address Vaddr; its name is copied to Name. */
static BOOLEAN KiElfFindInTable(const KI_ELF_FILE *File, const Elf64_Shdr *Table, const Elf64_Shdr *Strings,
                                ULONG_PTR Vaddr, PCHAR Name, SIZE_T NameSize, ULONG_PTR *Displacement)
{
    if (Table->sh_entsize != sizeof(Elf64_Sym) || !KiElfInRange(File, Table->sh_offset, Table->sh_size) ||
        !KiElfInRange(File, Strings->sh_offset, Strings->sh_size))
        return FALSE;
    SIZE_T Count = Table->sh_size / sizeof(Elf64_Sym);
    Elf64_Sym Best = { 0 };
    BOOLEAN Found = FALSE;
    for (SIZE_T First = 0; First < Count; First += File->SymbolCount) {
        SIZE_T n = Count - First < File->SymbolCount ? Count - First : File->SymbolCount;
        if (!KiElfRead(File, File->Symbols, n * sizeof(Elf64_Sym), Table->sh_offset + First * sizeof(Elf64_Sym)))
            return FALSE;
        for (SIZE_T i = 0; i < n; i++) {
            const Elf64_Sym *S = &File->Symbols[i];
            /* functions, and data objects (a lock a report names) */
            UCHAR Type = ELF64_ST_TYPE(S->st_info);
            if ((Type != STT_FUNC && (Type != STT_OBJECT || S->st_size == 0)) || S->st_shndx == SHN_UNDEF ||
                S->st_value > Vaddr)
                continue;
            BOOLEAN Inside = Vaddr < S->st_value + (S->st_size ? S->st_size : 1);
            if (Inside && (!Found || S->st_value > Best.st_value)) {
                Best = *S;
                Found = TRUE;
            }
        }
    }
    if (!Found || Best.st_name >= Strings->sh_size)
        return FALSE;
    ULONG64 Max = Strings->sh_size - Best.st_name;
    SIZE_T Length = Max < NameSize - 1 ? (SIZE_T)Max : NameSize - 1;
    if (!KiElfRead(File, Name, Length, Strings->sh_offset + Best.st_name))
        return FALSE;
    Name[Length] = 0;
    *Displacement = Vaddr - Best.st_value;
    return Name[0] != 0;
}

static BOOLEAN KiElfFind(const KI_ELF_FILE *File, ULONG_PTR Vaddr, PCHAR Name, SIZE_T NameSize,
                         ULONG_PTR *Displacement)
{
    Elf64_Ehdr Header;
    if (!KiElfRead(File, &Header, sizeof(Header), 0) || memcmp(Header.e_ident, ELFMAG, SELFMAG) != 0 ||
        Header.e_ident[EI_CLASS] != ELFCLASS64 || Header.e_shentsize != sizeof(Elf64_Shdr) ||
        !KiElfInRange(File, Header.e_shoff, (ULONG64)Header.e_shnum * sizeof(Elf64_Shdr)))
        return FALSE;
    /* the full table first; the dynamic one if the file was stripped */
    for (int Pass = 0; Pass < 2; Pass++) {
        ULONG Wanted = Pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
        Elf64_Shdr Batch[KI_ELF_HEADERS], Strings;
        for (ULONG First = 0; First < Header.e_shnum; First += KI_ELF_HEADERS) {
            ULONG n = Header.e_shnum - First < KI_ELF_HEADERS ? Header.e_shnum - First : KI_ELF_HEADERS;
            if (!KiElfRead(File, Batch, n * sizeof(Elf64_Shdr), Header.e_shoff + First * sizeof(Elf64_Shdr)))
                return FALSE;
            for (ULONG i = 0; i < n; i++) {
                if (Batch[i].sh_type != Wanted || Batch[i].sh_link >= Header.e_shnum ||
                    !KiElfRead(File, &Strings, sizeof(Strings), Header.e_shoff + Batch[i].sh_link * sizeof(Elf64_Shdr)))
                    continue;
                if (KiElfFindInTable(File, &Batch[i], &Strings, Vaddr, Name, NameSize, Displacement))
                    return TRUE;
            }
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
        Elf64_Sym Small[KI_ELF_SMALL];
        BOOLEAN Static = !__atomic_exchange_n(&KiElfSymbolsBusy, 1, __ATOMIC_ACQUIRE);
        KI_ELF_FILE File = { Fd, (ULONG64)Stat.st_size, Static ? KiElfSymbols : Small,
                             Static ? RTL_NUMBER_OF(KiElfSymbols) : RTL_NUMBER_OF(Small) };
        Found = KiElfFind(&File, Offset, Name, NameSize, Displacement);
        if (Static)
            __atomic_store_n(&KiElfSymbolsBusy, 0, __ATOMIC_RELEASE);
    }
    close(Fd);
    return Found;
}
