/*
 * output.c -- output helpers for the read commands (JSON is mb/json.h's).
 */
#include "cli.h"

const char *cli_dialect_name(int dialect)
{
    return dialect == MB_DIALECT_POSTGRESQL ? "postgresql"
           : dialect == MB_DIALECT_SQLITE   ? "sqlite"
                                            : "any";
}
