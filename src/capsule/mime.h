/*
 * mime: the media type of a static file, for the Gemini header.
 *
 * Example: "notes/a.gmi" is "text/gemini; charset=utf-8" (by extension,
 * before libmagic is asked); a PNG is "image/png"; a Latin-1 text file is
 * "text/plain; charset=iso-8859-1"; what libmagic cannot name is
 * "application/octet-stream".
 */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>

/* Longest type we send (a Gemini META is at most 1024 bytes). */
#define MIME_MAX	128

struct mime;

struct mime	*mime_open(const char **);
void		 mime_close(struct mime *);
void		 mime_of(struct mime *, const char *, int, char *, size_t);
const char	*mime_by_extension(const char *);

#endif
