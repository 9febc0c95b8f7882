/* enc.h: character sets of order exports (UTF-8, CP932/Shift_JIS, EUC-JP),
 * converted with iconv.  Invalid bytes are an error with their position,
 * never dropped or replaced. */
#ifndef CRM_ENC_H
#define CRM_ENC_H

#include <stddef.h>

#include "err.h"
#include "util.h"

/* Canonical name for a user's spelling ("sjis", "Shift_JIS", "UTF8" ...):
 * "utf-8", "cp932", "euc-jp", "utf-16" (with a BOM, as Excel's "Unicode
 * text" writes it), "auto", or NULL when unknown. */
const char *crm_enc_name(const char *s);

/* Guess from the first bytes of a file: a UTF-16 BOM -> "utf-16";
 * a UTF-8 BOM or valid UTF-8 -> "utf-8",
 * else valid CP932 -> "cp932", else valid EUC-JP -> "euc-jp", else NULL.
 * at_eof says buf holds the whole input (a cut multibyte tail is fine
 * otherwise). */
const char *crm_enc_detect(const char *buf, size_t n, int at_eof);

int crm_utf8_valid(const char *s, size_t n);

/* A streaming decoder to UTF-8. */
struct crm_dec;
int crm_dec_open(struct crm_dec **d, const char *encoding, struct crm_err *err);
/* Append the UTF-8 of in[0..n) to out.  An incomplete sequence at the end
 * is kept for the next call unless eof.  On invalid input returns -1 and
 * sets *bad to the offset within in of the first bad byte. */
int crm_dec_feed(struct crm_dec *d, const char *in, size_t n, int eof,
    struct crm_buf *out, size_t *bad, struct crm_err *err);
void crm_dec_close(struct crm_dec *d);

/* Whole-string conversion from UTF-8 (for dm-export -e cp932).  A
 * character with no equivalent is an error naming it. */
int crm_enc_from_utf8(const char *encoding, const char *in, size_t n,
    struct crm_buf *out, struct crm_err *err);

#endif
