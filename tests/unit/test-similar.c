/* Unit tests of lib/similar.c.  Expected values worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "similar.h"
#include "tap.h"

static int
near(struct tap *t, double got, double want, const char *name)
{
	int ok = fabs(got - want) < 0.005;

	if (!tap_ok(t, ok, name))
		printf("#   got: %.4f\n#   expected: %.4f\n", got, want);
	return ok;
}

int
main(void)
{
	struct tap t = TAP_INIT;
	struct crm_buf r;
	double s;

	/* Levenshtein over code points: one kanji is one edit. */
	near(&t, crm_sim_levenshtein("高橋一郎", "高橋一朗"), 0.75, "one kanji of four differs: 0.75");
	near(&t, crm_sim_levenshtein("abc", "abc"), 1.0, "equal latin");
	near(&t, crm_sim_levenshtein("kitten", "sitting"), 1.0 - 3.0 / 7, "kitten/sitting: 3 edits of 7");
	near(&t, crm_sim_levenshtein("", ""), 1.0, "two empty strings are equal");
	near(&t, crm_sim_levenshtein("", "ab"), 0.0, "empty vs non-empty");
	near(&t, crm_sim_levenshtein(NULL, "ab"), 0.0, "NULL counts as empty");
	near(&t, crm_sim_levenshtein("ヤマダタロウ", "ヤマダハナコ"), 0.5, "shared surname in kana: 0.5");

	/* Jaro-Winkler: MARTHA/MARHTA is the textbook 0.961. */
	near(&t, crm_sim_jaro_winkler("martha", "marhta"), 0.9611, "jaro-winkler martha/marhta");
	near(&t, crm_sim_jaro_winkler("dwayne", "duane"), 0.84, "jaro-winkler dwayne/duane");
	near(&t, crm_sim_jaro_winkler("abc", "xyz"), 0.0, "nothing in common");
	near(&t, crm_sim_jaro_winkler("さとう", "さとう"), 1.0, "equal kana");

	/* crm_sim_text folds width, case and kana before comparing. */
	near(&t, crm_sim_text("ＴＡＲＯ", "taro"), 1.0, "full-width vs ASCII, case folded");
	near(&t, crm_sim_text("やまだ", "ヤマダ"), 1.0, "hiragana vs katakana");
	near(&t, crm_sim_text("ﾔﾏﾀﾞ", "ヤマダ"), 1.0, "half-width kana");

	near(&t, crm_sim_phone("0312345678", "0312345678"), 1.0, "same phone");
	near(&t, crm_sim_phone("0312345678", "12345678"), 0.8, "same last 8 digits");
	near(&t, crm_sim_phone("0312345678", "09012345679"), 0.0, "different phone");
	near(&t, crm_sim_phone(NULL, "0312345678"), 0.0, "missing phone");

	near(&t, crm_sim_email("taro@example.jp", "taro@example.jp"), 1.0, "same e-mail");
	near(&t, crm_sim_email("taro@example.jp", "taro@example.com"), 0.8, "same local part elsewhere");
	near(&t, crm_sim_email("abc@x.jp", "xyz@x.jp"), 0.0, "different local parts");
	near(&t, crm_sim_email("u1001@x.jp", "u1002@x.jp"), 0.0, "alike but different addresses are no evidence");

	near(&t, crm_sim_birthday("1980-03-04", "1980-03-04"), 1.0, "same birthday");
	near(&t, crm_sim_birthday("1980-03-04", "1980-03-05"), 0.5, "one digit wrong");
	near(&t, crm_sim_birthday("1980-03-04", "1980-04-03"), 0.5, "day and month swapped");
	near(&t, crm_sim_birthday("1980-03-04", "1975-11-20"), 0.0, "different birthday");

	near(&t, crm_sim_address("港区1-2-3", "1000001", "港区1-2-3", "1000001"), 1.0, "same address and postcode");
	/* lev 港区1-2-3 / 港区1-2-4: 1 of 7 -> 6/7; same postcode: +30% of the rest */
	near(&t, crm_sim_address("港区1-2-3", "1000001", "港区1-2-4", "1000001"),
	    6.0 / 7 + (1.0 / 7) * 0.3, "address one character off, same postcode");
	near(&t, crm_sim_address(NULL, "1000001", NULL, "1000001"), 0.6, "postcodes only, equal");
	/* 港区1-2-3 / 港区5-6-7: 3 edits of 7 = 0.57 < 0.85: a neighbour. */
	near(&t, crm_sim_address("港区1-2-3", "1000001", "港区5-6-7", "1000001"), 0.4, "a neighbour in the same postcode: 0.4");
	near(&t, crm_sim_address("港区1-2-3", "1000001", "港区5-6-7", "1000002"), 0.0, "a different address elsewhere: 0");
	near(&t, crm_sim_address(NULL, NULL, "港区", NULL), -1.0, "nothing comparable");

	/* Scores. */
	{
		/* A typo in the kanji, same kana, same phone, same address:
		 * person (0.75 + 1) / 2 = 0.875; evidence (1 + 1) / 2 = 1. */
		struct crm_sim_rec a = { "高橋一郎", "タカハシイチロウ", NULL, "0312345678", "1000001", "港区1-2-3", NULL };
		struct crm_sim_rec b = { "高橋一朗", "タカハシイチロウ", NULL, "0312345678", "1000001", "港区1-2-3", NULL };

		crm_buf_init(&r);
		s = crm_sim_score(&a, &b, &r);
		near(&t, s, 0.9375, "kanji typo at the same phone and address: 0.9375");
		tap_is_str(&t, r.s, "same phone; same address; name 0.75; kana 1.00", "reasons");
		crm_buf_release(&r);
	}
	{
		/* A family on one landline: 山田太郎 / 山田花子 -> person 0.5,
		 * under the 0.75 gate: score 0.25. */
		struct crm_sim_rec a = { "山田太郎", "ヤマダタロウ", NULL, "0312345678", "1000001", "港区1-2-3", NULL };
		struct crm_sim_rec b = { "山田花子", "ヤマダハナコ", NULL, "0312345678", "1000001", "港区1-2-3", NULL };

		near(&t, crm_sim_score(&a, &b, NULL), 0.25, "family at one landline scores 0.25");
	}
	{
		/* Same name, nothing else in common: 0.5 + 0.5 * 0 (phone 0). */
		struct crm_sim_rec a = { "佐藤花子", NULL, NULL, "0311111111", NULL, NULL, NULL };
		struct crm_sim_rec b = { "佐藤花子", NULL, NULL, "0622222222", NULL, NULL, NULL };

		near(&t, crm_sim_score(&a, &b, NULL), 0.5, "equal names alone stay at 0.5");
	}
	{
		/* No name on either side: half the evidence at most. */
		struct crm_sim_rec a = { NULL, NULL, "ab@x.jp", "0311111111", NULL, NULL, NULL };
		struct crm_sim_rec b = { NULL, NULL, "ab@y.jp", "0311111111", NULL, NULL, NULL };

		near(&t, crm_sim_score(&a, &b, NULL), 0.45, "no names: 0.5 * (1 + 0.8) / 2");
	}
	{
		/* Latin: "johnsmith" vs "jonsmith": 1 edit of 9; the same
		 * birthday; relay addresses are no evidence. */
		struct crm_sim_rec a = { "johnsmith", NULL, "x1@fw.rakuten.ne.jp", NULL, NULL, NULL, "1970-01-02" };
		struct crm_sim_rec b = { "jonsmith", NULL, "y2@fw.rakuten.ne.jp", NULL, NULL, NULL, "1970-01-02" };

		crm_buf_init(&r);
		near(&t, crm_sim_score(&a, &b, &r), 0.5 * (8.0 / 9) + 0.5, "latin typo, same birthday");
		tap_is_str(&t, r.s, "same birthday; name 0.89", "relay e-mail is no reason");
		crm_buf_release(&r);
	}
	{
		/* Brothers 健一/健二: name 0.75, kana ケンイチ/ケンジ 2 edits
		 * of 7 -> (0.75 + 5/7) / 2 = 0.732 < 0.75: half of it. */
		struct crm_sim_rec a = { "山田健一", "ヤマダケンイチ", NULL, "0312345678", NULL, NULL, NULL };
		struct crm_sim_rec b = { "山田健二", "ヤマダケンジ", NULL, "0312345678", NULL, NULL, NULL };

		near(&t, crm_sim_score(&a, &b, NULL), (0.75 + 5.0 / 7) / 4, "brothers stay under the gate");
	}
	{
		/* No kana: 佐々木航 / 佐々木隆 at one address is 0.75 by name
		 * alone, which is a family: 0.375. */
		struct crm_sim_rec a = { "佐々木航", NULL, NULL, NULL, "7704296", "徳島市八幡1-18-21", NULL };
		struct crm_sim_rec b = { "佐々木隆", "ササキタカシ", NULL, NULL, "7704296", "徳島市八幡1-18-21", NULL };

		near(&t, crm_sim_score(&a, &b, NULL), 0.375, "one character in four without kana: a family");
	}
	{
		/* Different birthdays halve it: (0.5 + 0.5 * (1 + 0) / 2) / 2. */
		struct crm_sim_rec a = { "鈴木一郎", NULL, NULL, "0311111111", NULL, NULL, "1970-01-02" };
		struct crm_sim_rec b = { "鈴木一郎", NULL, NULL, "0311111111", NULL, NULL, "1999-12-31" };

		near(&t, crm_sim_score(&a, &b, NULL), 0.375, "different birthdays halve the score");
	}
	return tap_done(&t);
}
