/*
 * json.h -- the JSON that the read commands print (RFC 8259).
 *
 * Strings are escaped: quote, backslash and every control character;
 * other bytes (UTF-8, validated when the bundle was built) pass through.
 * Used by app-migrate's --format json and by migbundle's read commands, so
 * that both print one revision with the same members.
 */
#ifndef MB_JSON_H
#define MB_JSON_H

#include <stdio.h>
#include "mb/bundle.h"

/** s as a JSON string; NULL prints null. */
void mb_json_str(FILE *fp, const char *s);

/** The member "name": s of an object, behind ", " unless first. */
void mb_json_member(FILE *fp, int first, const char *name, const char *s);

/** v[0..n) as a JSON array of strings. */
void mb_json_str_array(FILE *fp, const char *const *v, unsigned n);

/** JSON true or false. */
const char *mb_json_bool(int b);

/**
 * The members (no braces) of one revision: revision, message, path,
 * checksum, revises, depends_on, branch_labels, create_date, and
 * reversible (on dialect; MB_DIALECT_ANY: on both).
 */
void mb_json_revision(FILE *fp, const mb_revision *r, int dialect);

#endif
