/*
 * mb/url.h -- database URLs in output: never show a password.
 */
#ifndef MB_URL_H
#define MB_URL_H

#include <stddef.h>

/**
 * Copy url to out (size bytes, always terminated) with any password
 * replaced by "***", read as libpq reads it: the one in
 * `scheme://user:PASSWORD@host` (the user info ends at the last '@'
 * before the first '/') and the value of every `password` and
 * `sslpassword` parameter, in any case, in a URI query (the name may be
 * percent-encoded; the value ends at '&') or in a key=value string (white
 * space around '=', the value single-quoted or up to white space, with
 * backslash escapes). out is just "***" when memory runs out.
 */
void mb_url_redact(char *out, size_t size, const char *url);

#endif
