/*
 * addr: the addresses and dates every renderer prints.
 *
 * Example: for slug "crepes" on host example.org (Gemini 1965, Gopher
 * 7070): addr_selector gives "/articles/crepes/" (with suffix "/"),
 * addr_gemini_url "gemini://example.org/articles/crepes.gmi",
 * addr_gopher_url "gopher://example.org:7070/1/articles/crepes/", and
 * addr_date of 1698883200 gives "2023-11-02".
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

struct site;

/* "/articles/" + slug (at most 100 + "-" + 10 digits) + suffix */
#define ADDR_SELECTOR_MAX	160
/* scheme + host (DNS names are at most 253) + port + selector */
#define ADDR_URL_MAX		512
/* "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", with room the compiler can prove */
#define ADDR_DATE_LEN		48
#define ADDR_DATETIME_LEN	80

void	 addr_selector(char *, size_t, const char *, const char *);
void	 addr_gemini_base(char *, size_t, const struct site *);
void	 addr_gemini_url(char *, size_t, const struct site *, const char *);
void	 addr_gopher_url(char *, size_t, const struct site *, const char *);
void	 addr_date(char *, int64_t);
void	 addr_datetime(char *, int64_t);

#endif
