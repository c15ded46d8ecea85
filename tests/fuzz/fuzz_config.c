/*
 * fuzz_config: the bytes of a capsuled.conf through config_parse.
 *
 * Invariants: on failure the message is "fuzz.conf:LINE: ..." without
 * control bytes and the config is left initialised (no host, no
 * listen); on success config_dump's output has no control byte but LF,
 * parses again, and dumps again to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"

#define FILE_NAME	"fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_error(struct config *c, const char *err)
{
	fuzz_clean_message("config error", err);
	FUZZ_CHECK(strncmp(err, FILE_NAME ":", sizeof(FILE_NAME)) == 0,
	    "config error", err, strlen(err), "not FILE:LINE: message");
	FUZZ_CHECK(c->cf_nhosts == 0 && c->cf_nlisten == 0 &&
	    c->cf_hosts == NULL && c->cf_gopher_host == NULL &&
	    c->cf_user == NULL, "config error", err, strlen(err),
	    "config not purged after an error");
}

/* UTF-8 without control bytes but LF (C1 is refused by config_parse). */
static void
check_dump(const struct buf *b)
{
	size_t	 i;

	FUZZ_CHECK(!b->b_failed, "config_dump", NULL, 0, "failed");
	FUZZ_CHECK(utf8_valid(b->b_data, b->b_len), "config_dump", b->b_data,
	    b->b_len, "not UTF-8");
	for (i = 0; i < b->b_len; i++)
		FUZZ_CHECK(!(((unsigned char)b->b_data[i] < 0x20 &&
		    b->b_data[i] != '\n') || b->b_data[i] == 0x7f),
		    "config_dump", b->b_data, b->b_len, "control byte at %zu", i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c, c2;
	struct buf	 d1, d2;
	char		 err[1024], *text = fuzz_dup(data, size);

	config_init(&c);
	if (config_parse(&c, FILE_NAME, text, size, err, sizeof(err)) == -1) {
		check_error(&c, err);
		config_purge(&c);
		free(text);
		return 0;
	}
	free(text);
	buf_init(&d1);
	buf_init(&d2);
	config_dump(&c, &d1);
	check_dump(&d1);

	config_init(&c2);
	FUZZ_CHECK(config_parse(&c2, FILE_NAME, d1.b_data, d1.b_len, err,
	    sizeof(err)) == 0, "config reparse", d1.b_data, d1.b_len,
	    "the dump does not parse: %s", err);
	config_dump(&c2, &d2);
	FUZZ_CHECK(!d2.b_failed, "config_dump", NULL, 0, "failed");
	FUZZ_CHECK(d1.b_len == d2.b_len &&
	    memcmp(d1.b_data, d2.b_data, d1.b_len) == 0, "config round trip",
	    d2.b_data, d2.b_len, "second dump differs from the first");
	config_purge(&c2);
	config_purge(&c);
	buf_free(&d1);
	buf_free(&d2);
	return 0;
}
