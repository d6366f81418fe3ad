/*
 * exe.c -- is the executable as long as its ELF headers say (mb/exe.h)?
 *
 * The ELF header is mapped at __ehdr_start, a symbol GNU ld, gold and lld
 * define for every executable whose first loaded segment holds it; the
 * program headers follow it in the same page. The extent the file must
 * have is the larger of the end of the section header table and the end
 * of the last segment's bytes in the file. The file is opened through
 * /proc/self/exe, which names the inode the process was started from
 * even when the path was since replaced, and its first bytes must be the
 * header in memory before its size is believed.
 *
 * Not ELF, or not Linux: nothing is checked.
 */
#if defined(__linux__) && defined(__ELF__)
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "mb/exe.h"

#if defined(__linux__) && defined(__ELF__)

/* weak: a linker that does not define it leaves its address NULL */
extern const ElfW(Ehdr) __ehdr_start __attribute__((weak));

/* The bytes the file must hold, from the headers in memory; 0: unknown. */
static unsigned long long described_extent(const ElfW(Ehdr) *eh)
{
    const ElfW(Phdr) *ph;
    unsigned long long need = 0;
    unsigned i;

    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_phentsize != sizeof *ph)
        return 0;
    if (eh->e_shoff != 0)
        need = (unsigned long long)eh->e_shoff +
               (unsigned long long)eh->e_shnum * eh->e_shentsize;
    ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    for (i = 0; i < eh->e_phnum; i++) { /* e_phnum: 16 bits, bounded */
        unsigned long long end = (unsigned long long)ph[i].p_offset +
                                 ph[i].p_filesz;

        if (ph[i].p_type == PT_LOAD && end > need)
            need = end;
    }
    return need;
}

int mb_exe_check(mb_report *rep, mb_error *err)
{
    const ElfW(Ehdr) *eh = &__ehdr_start;
    ElfW(Ehdr) ondisk;
    unsigned long long need;
    struct stat st;
    int fd, same;

    if (eh == NULL || (need = described_extent(eh)) == 0)
        return MB_OK;
    if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
        return MB_OK;
    same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
           pread(fd, &ondisk, sizeof ondisk, 0) == (ssize_t)sizeof ondisk &&
           memcmp(&ondisk, eh, sizeof ondisk) == 0;
    close(fd);
    if (!same || (unsigned long long)st.st_size >= need)
        return MB_OK;
    return mb_report_add(rep, err, "the executable is truncated: its file "
                         "holds %llu bytes, its ELF headers describe %llu",
                         (unsigned long long)st.st_size, need);
}

#else

int mb_exe_check(mb_report *rep, mb_error *err)
{
    (void)rep;
    (void)err;
    return MB_OK;
}

#endif
