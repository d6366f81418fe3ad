/*
 * mb/url.h -- database URLs in output: never show a password.
 */
#ifndef MB_URL_H
#define MB_URL_H

#include <stddef.h>

/**
 * Copy url to out (size bytes, always terminated) with any password
 * replaced by "***": the one in `scheme://user:PASSWORD@host` and the
 * value of every `password=` parameter (URI query or key=value form).
 */
void mb_url_redact(char *out, size_t size, const char *url);

#endif
