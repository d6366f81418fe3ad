/*
 * lint.h -- the safety lint of `migbundle check`: rules over PostgreSQL's
 * parse tree for what locks or rewrites a busy table.
 *
 * The lint reads, for every revision, the up section that runs on
 * PostgreSQL (its dialect:postgresql section, else the generic one),
 * statement by statement, in order, keeping what the section did before:
 * the tables and indexes it created, whether it set a lock_timeout, the
 * enum values it added, the constraints it added NOT VALID and validated.
 * docs/lint.md lists the rules, why each matters and the safe rewrite.
 *
 * A finding prints as
 *   PROG: warning: FILE:LINE: [RULE] what is wrong; what to do
 * (error: instead of warning: when strict). A comment line
 *   -- migbundle:allow RULE REASON
 * in the section silences RULE for the statement it stands in or before;
 * the reason is required.
 */
#ifndef MB_LINT_H
#define MB_LINT_H

#include <stdio.h>
#include "check.h"

/**
 * Lint every revision of p, printing each finding to fp.
 * @param strict  print findings as errors (the caller fails on them)
 * @param found   receives the number of findings printed (unused
 *                suppressions included)
 * @return MB_OK; MB_EPARSE for a malformed suppression (err names
 *         FILE:LINE) or a statement PostgreSQL's parser refuses;
 *         MB_ENOMEM
 */
int mb_lint_project(const mb_project *p, int strict, const char *prog,
                    FILE *fp, size_t *found, mb_error *err);

/** The number of rules, and the id of rule i (for help texts, tests). */
size_t mb_lint_n_rules(void);
const char *mb_lint_rule_id(size_t i);

#endif
