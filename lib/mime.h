/* mime.h: the pieces of an Internet message (RFC 5322, 2045-2047).
 *
 * Everything is written with CRLF line ends, the form SMTP wants; a
 * mailbox writer turns them into LF.  Header values are refused when they
 * hold CR or LF (header injection) and encoded as RFC 2047 B words, folded
 * at character boundaries, when they are not plain ASCII. */
#ifndef CRM_MIME_H
#define CRM_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "util.h"

/* "Name: value\r\n", encoded and folded.  EX_DATAERR for CR/LF/NUL. */
int crm_mime_header(struct crm_buf *out, const char *name, const char *value,
    struct crm_err *err);

/* "Name: display <addr>\r\n"; display may be NULL or empty. */
int crm_mime_address_header(struct crm_buf *out, const char *name,
    const char *display, const char *addr, struct crm_err *err);

/* Split "Display Name <a@example.com>" or "a@example.com" into its parts
 * (malloc'd; *display NULL when there is none). */
int crm_mime_parse_address(const char *in, char **display, char **addr,
    struct crm_err *err);

/* 1 when addr is a plausible ASCII addr-spec local@domain that SMTP can
 * carry without SMTPUTF8. */
int crm_mime_addr_ok(const char *addr);
/* The domain part of an address (a pointer into addr), or NULL. */
const char *crm_mime_addr_domain(const char *addr);

/* A body part: Content-Type and Content-Transfer-Encoding headers, an
 * empty line and the encoded UTF-8 text (LF or CRLF line ends in text).
 * Quoted-printable unless base64 is smaller (mostly non-ASCII text). */
void crm_mime_part(struct crm_buf *out, const char *subtype, const char *text,
    size_t len);

void crm_mime_qp(struct crm_buf *out, const char *s, size_t n);
void crm_mime_base64(struct crm_buf *out, const unsigned char *s, size_t n,
    size_t linelen);
/* base64url without padding (RFC 4648 section 5), for tokens. */
void crm_mime_base64url(struct crm_buf *out, const unsigned char *s, size_t n);
/* Decode base64url (no padding); -1 on a bad character. */
int crm_mime_base64url_decode(const char *s, unsigned char *out, size_t cap,
    size_t *len);

/* RFC 5322 date of t in local time: "Sun, 22 Nov 2026 10:05:00 +0900". */
void crm_mime_date(char out[40], time_t t);

/* <HASH.CUSTOMER@domain>: stable for a (campaign, customer) pair so that
 * a resent message is recognisably the same one. */
void crm_mime_message_id(char *out, size_t size, const char *campaign,
    int64_t customer_id, const char *domain);

#endif
