/*
 * mb/exe.h -- the executable file itself: is it as long as its own ELF
 * headers say?
 *
 * An executable cut short (an interrupted download or copy) loses its
 * tail first: on Linux that is the section header table and the symbol
 * tables, which are never loaded, so such a program would run whole and
 * say nothing; then the compressed payloads, which the generated C and
 * cmake/migbundle-payload.ld put last among what is loaded, so the
 * program still starts, and must read no payload once this check failed.
 * A cut that reaches further never gets here: the kernel refuses to start
 * the file or the program dies on its first touch of a missing page,
 * before main() (docs/operations.md, "Integrity refusals").
 */
#ifndef MB_EXE_H
#define MB_EXE_H

#include "mb/verify.h"

/**
 * Compare the size of the file this process was started from
 * (/proc/self/exe) with the extent its ELF headers in memory describe
 * (the section header table, every segment); a shorter file is a problem
 * added to rep. Nothing is added when it cannot be told: no /proc, not an
 * ELF image, or a file whose header is not the one in memory (a program
 * run under valgrind). MB_OK, or a hard error.
 */
int mb_exe_check(mb_report *rep, mb_error *err);

#endif
