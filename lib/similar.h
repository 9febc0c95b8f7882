/* similar.h: how alike two buyer records are, for near-match review.
 *
 * Strings are compared as Unicode code points, not bytes, so that one
 * wrong kanji costs as much as one wrong Latin letter.  The callers pass
 * normalised keys (lib/norm.h: name_key, kana_key, address_key ...);
 * crm_sim_text folds raw text first (crm_norm_fold).  Every similarity is
 * in 0..1, 1 meaning equal. */
#ifndef CRM_SIMILAR_H
#define CRM_SIMILAR_H

#include "util.h"

/* 1 - Levenshtein distance / length of the longer string, over code
 * points.  Strings longer than 255 code points are compared on their
 * first 255.  Two empty strings are equal (1). */
double crm_sim_levenshtein(const char *a, const char *b);
/* Jaro-Winkler over code points (prefix scale 0.1, at most 4). */
double crm_sim_jaro_winkler(const char *a, const char *b);
/* Levenshtein similarity of crm_norm_fold(a) and crm_norm_fold(b). */
double crm_sim_text(const char *a, const char *b);

/* Phone keys (digits): equal 1; the same last 8 digits (one written with
 * an area code, one without) 0.8; else 0. */
double crm_sim_phone(const char *a, const char *b);
/* E-mail keys: equal 1; same local part at another domain 0.8; else 0. */
double crm_sim_email(const char *a, const char *b);
/* Birthdays "YYYY-MM-DD": equal 1; one digit wrong, or day and month
 * swapped, 0.5; else 0. */
double crm_sim_birthday(const char *a, const char *b);
/* Address keys with postcodes (any may be NULL).  Levenshtein similarity
 * of the addresses when at least 0.85, nudged up by an equal postcode;
 * less is another address (0, or 0.4 in the same postcode); postcodes
 * alone: 0.6 when equal.  -1 when neither side can be compared. */
double crm_sim_address(const char *addr_a, const char *pc_a,
    const char *addr_b, const char *pc_b);

/* The normalised keys of one record (any may be NULL). */
struct crm_sim_rec {
	const char *name, *kana, *email, *phone, *postcode, *address,
	    *birthday;
};

/* The score of a candidate pair, 0..1.
 *
 * Half of it is the person: the name and kana similarity (Levenshtein,
 * so that a family's shared surname is not enough: under 0.75, or at
 * 0.75 when kana is missing on a side, the score is half the name
 * similarity).  The other half is
 * the evidence that it is the same household and person: phone, e-mail,
 * address and birthday, averaged over the fields both records have.
 * With no such evidence the score stays at or below 0.5, so equal names
 * alone never reach the default threshold (0.6).  Birthdays that are
 * both known and different (not just one digit or day/month swapped)
 * halve the score.  Marketplace relay e-mail
 * addresses are not evidence (each is a random token).
 *
 * When reasons is not NULL, a human-readable account is appended:
 * "same phone; name 0.92; kana 1.00". */
double crm_sim_score(const struct crm_sim_rec *a, const struct crm_sim_rec *b,
    struct crm_buf *reasons);

#endif
