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
 * hiragana -> katakana, every space removed.  Used for keyword search and
 * names; never fails on valid UTF-8. */
char *crm_norm_fold(const char *in);

/* E-mail key: trimmed, NFKC-folded, lower-cased; must look like
 * local@domain.  (The address for sending is kept as given elsewhere.) */
int crm_norm_email(const char *in, char **out, struct crm_err *err);
/* Phone: digits only; full-width digits, hyphens, brackets, spaces gone;
 * +81 / 81 -> leading 0 for Japanese numbers; other countries keep "+CC...".
 * Fewer than 6 or more than 15 digits is garbage. */
int crm_norm_phone(const char *in, char **out, struct crm_err *err);
/* Name: NFKC, spaces (incl. U+3000) removed, common variant kanji folded
 * (髙→高, 﨑→崎, 德→徳 ...), Latin lower-cased. */
int crm_norm_name(const char *in, char **out, struct crm_err *err);
/* Kana: as name, and hiragana folded to katakana. */
int crm_norm_kana(const char *in, char **out, struct crm_err *err);
/* Postcode: Japanese 7 digits ("〒123-4567", "１２３４５６７"); anything
 * else that is plausibly a foreign postal code (letters, digits, spaces,
 * hyphens, up to 12) is kept as given, upper-cased. */
int crm_norm_postcode(const char *in, char **out, struct crm_err *err);
/* Address key: NFKC folded, spaces removed, hyphen-like characters and
 * 丁目/番地/番/号 unified to '-'. */
int crm_norm_address(const char *in, char **out, struct crm_err *err);

/* Prefecture: "東京" / "東京都" / "tokyo" -> "東京都" (a static string).
 * Unknown -> -1. */
int crm_norm_prefecture(const char *in, const char **out, struct crm_err *err);
/* The prefecture an address starts with, or NULL. *len is set to its
 * byte length in addr so the rest can be taken as the address. */
const char *crm_pref_from_address(const char *addr, size_t *len);
/* The 47 prefectures in JIS X 0401 order; index 0..46. */
const char *crm_pref_name(int i);
int crm_pref_code(const char *canonical);  /* 1..47, 0 when unknown */

/* Amounts: "1234", "1,234", "¥1,234", "￥1,234", "1234円", full-width
 * digits, a leading apostrophe, "-500" -> minor units (yen). */
int crm_norm_amount(const char *in, int64_t *out, struct crm_err *err);
/* Integer quantity, same folding, >= 0. */
int crm_norm_int(const char *in, int64_t *out, struct crm_err *err);
/* yes/no, 1/0, true/false, on/off, 受け取る/受け取らない, 希望する/希望しない,
 * する/しない, 有/無 ... */
int crm_norm_bool(const char *in, int *out, struct crm_err *err);
/* ok (also 完了, 発送済 ...), cancelled (キャンセル), returned (返品). */
int crm_norm_status(const char *in, const char **out, struct crm_err *err);

#endif
