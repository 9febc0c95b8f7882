/* norm.h: normalising what shops export, for matching and filtering.
 *
 * Each function reads one field as exported and returns the canonical
 * form in *out (malloc'd; NULL when the input is empty or only spaces).
 * Garbage gets -1 and an EX_DATAERR message saying what was expected,
 * never a guess.  Width folding and NFKC come from utf8proc. */
#ifndef CRM_NORM_H
#define CRM_NORM_H

#include <stdint.h>

#include "err.h"

/* Fold for comparison: NFKC (全角英数→半角, 半角カナ→全角), lower case,
 * hiragana -> katakana, variant kanji as in crm_norm_name, every space and
 * invisible format character removed.  Used for keyword search and names;
 * never fails (invalid UTF-8 comes back as a byte copy). */
char *crm_norm_fold(const char *in);

/* E-mail key: trimmed, NFKC-folded, lower-cased; must look like
 * local@domain: one @, a non-empty local part without spaces or
 * ()<>,;:\"[], a domain of two or more dot-separated labels.  Leading,
 * trailing and doubled dots in the local part are accepted (old docomo/au
 * addresses); masked relay addresses (Rakuten, Amazon) are valid.  The
 * IME-mode spellings 。 (U+3002, ｡) and ー of "." and "-" are read as such.
 * (The address for sending is kept as given elsewhere.) */
int crm_norm_email(const char *in, char **out, struct crm_err *err);
/* Phone: digits only; full-width digits, hyphens (and ー − ‐ ― ...),
 * brackets, dots, spaces gone; +81 / 81 -> leading 0 for Japanese numbers
 * (81 without + only with 11-12 digits; "+81 (0)3" drops the 0); other
 * countries keep "+CC...".  A 10-digit 90/80/70/50... number gets its lost
 * leading 0 back (a spreadsheet ate it).  Anything else (letters, "内線")
 * or fewer than 6 or more than 15 digits is garbage. */
int crm_norm_phone(const char *in, char **out, struct crm_err *err);
/* Name: NFKC, spaces (incl. U+3000) and the middle dot ・ removed, common
 * variant kanji folded (髙→高, 﨑→崎, 德→徳 ...), Latin lower-cased, a
 * trailing honorific 様 dropped. */
int crm_norm_name(const char *in, char **out, struct crm_err *err);
/* Kana: as name, and hiragana folded to katakana. */
int crm_norm_kana(const char *in, char **out, struct crm_err *err);
/* Postcode: Japanese 7 digits ("〒123-4567", "１２３４５６７"); anything
 * else that is plausibly a foreign postal code (letters, digits, spaces,
 * hyphens, up to 12, at least one digit) is kept as given, upper-cased
 * ("SW1A 1AA", "12345", "123456").  Input that looks Japanese (〒, full-width
 * characters, or NNN-...) but is not 7 digits is garbage ("〒123-456"). */
int crm_norm_postcode(const char *in, char **out, struct crm_err *err);
/* Address key: NFKC folded, spaces removed, hyphen-like characters and
 * 丁目/番地/番/号 unified to '-'. */
int crm_norm_address(const char *in, char **out, struct crm_err *err);

/* Prefecture: "東京" / "東京都" / "tokyo" -> "東京都" (a static string).
 * Unknown -> -1. */
int crm_norm_prefecture(const char *in, const char **out, struct crm_err *err);
/* The prefecture an address starts with, or NULL. *len is set to its
 * byte length in addr (leading spaces included) so the rest can be taken
 * as the address.  Only a full name (東京都, 京都府) counts, or a bare name
 * directly followed by 市 (京都市..., 大阪市...: the city of that name lies
 * in that prefecture), which returns the prefecture with *len 0 so that
 * the city stays in the rest.  Other bare names are ambiguous (石川町 is
 * in 福島県) and give NULL. */
const char *crm_pref_from_address(const char *addr, size_t *len);
/* The 47 prefectures in JIS X 0401 order; index 0..46. */
const char *crm_pref_name(int i);
int crm_pref_code(const char *canonical);  /* 1..47, 0 when unknown */

/* Amounts: "1234", "1,234", "¥1,234", "￥1,234", "1234円", full-width
 * digits, a leading apostrophe, "-500", "▲500", "1234.00" -> minor units
 * (yen).  "12.5", "12,34" and empty input are garbage (-1). */
int crm_norm_amount(const char *in, int64_t *out, struct crm_err *err);
/* Integer quantity, same folding, >= 0; empty is garbage. */
int crm_norm_int(const char *in, int64_t *out, struct crm_err *err);
/* yes/no, y/n, 1/0, true/false, on/off, 受け取る/受け取らない,
 * 希望する/希望しない, する/しない, 有/無, あり/なし, はい/いいえ, ○/×,
 * 許可/拒否, 配信する/配信しない ... (case and width folded); empty is
 * garbage, so check for an empty field first. */
int crm_norm_bool(const char *in, int *out, struct crm_err *err);
/* ok (also 完了, 発送済, 新規受付, 処理中, paid, shipped ...), cancelled
 * (canceled, キャンセル, 取消 ...), returned (refunded, 返品, 返金).
 * Empty input: *out NULL and 0 (the caller's default applies). */
int crm_norm_status(const char *in, const char **out, struct crm_err *err);

#endif
