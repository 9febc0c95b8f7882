/* Unit tests of lib/norm.c: every normaliser, table-driven, with the
 * spellings Japanese shop exports really contain.  Expected values are
 * written out by hand. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "tap.h"

typedef int (*strfn)(const char *, char **, struct crm_err *);

struct scase {
	const char *in, *want;	/* want NULL: empty field, no value */
};

struct ecase {
	const char *in, *msg;	/* msg: a substring of the error */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
good(struct tap *t, const char *what, strfn fn, const struct scase *c, size_t n)
{
	struct crm_err err;
	char name[512], *out;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		out = (char *)"unset";
		crm_err_clear(&err);
		r = fn(c[i].in, &out, &err);
		snprintf(name, sizeof name, "%s '%s'", what, c[i].in);
		if (!tap_is_int(t, r, 0, name))
			printf("#   error: %s\n", err.msg);
		snprintf(name, sizeof name, "%s '%s' -> '%s'", what, c[i].in,
		    c[i].want ? c[i].want : "(none)");
		tap_is_str(t, r == 0 ? out : "(failed)", c[i].want, name);
		if (r == 0)
			free(out);
	}
}

static void
garbage(struct tap *t, const char *what, strfn fn, const struct ecase *c, size_t n)
{
	struct crm_err err;
	char name[512], *out;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		out = (char *)"unset";
		crm_err_clear(&err);
		r = fn(c[i].in, &out, &err);
		snprintf(name, sizeof name, "%s '%s' is garbage: EX_DATAERR", what, c[i].in);
		tap_ok(t, r == -1 && err.code == EX_DATAERR, name);
		snprintf(name, sizeof name, "%s '%s': message says '%s'", what,
		    c[i].in, c[i].msg);
		if (!tap_ok(t, strstr(err.msg, c[i].msg) != NULL, name))
			printf("#   message: %s\n", err.msg);
		snprintf(name, sizeof name, "%s '%s': no value", what, c[i].in);
		tap_ok(t, r == 0 || out == NULL, name);
		if (r == 0)
			free(out);
	}
}

static void
test_fold(struct tap *t)
{
	static const struct scase c[] = {
		{ "ＡＢＣ１２３", "abc123" },
		{ "ｶﾀｶﾅ", "カタカナ" },
		{ "ｶﾞｯﾂ", "ガッツ" },			/* 半角濁点 composes */
		{ "ひらがな", "ヒラガナ" },
		{ "ゔぁ", "ヴァ" },
		{ "山田　太郎", "山田太郎" },		/* U+3000 */
		{ " Yamada  Taro ", "yamadataro" },
		{ "髙橋", "高橋" },
		{ "zero\xE2\x80\x8Bwidth", "zerowidth" },	/* ZWSP dropped */
		{ "", "" },
	};
	size_t i;
	char *s, name[256];

	for (i = 0; i < N(c); i++) {
		s = crm_norm_fold(c[i].in);
		snprintf(name, sizeof name, "fold '%s' -> '%s'", c[i].in, c[i].want);
		tap_is_str(t, s, c[i].want, name);
		free(s);
	}
	s = crm_norm_fold("\xff\xfe bad");
	tap_is_str(t, s, "\xff\xfe bad", "fold of invalid UTF-8 is a byte copy");
	free(s);
	tap_ok(t, crm_norm_fold(NULL) == NULL, "fold(NULL) is NULL");
}

static void
test_email(struct tap *t)
{
	static const struct scase c[] = {
		{ "taro@example.com", "taro@example.com" },
		{ "  Taro.Yamada@Example.CO.JP \t", "taro.yamada@example.co.jp" },
		{ "ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "taro@example.com" },
		{ "abc123@pc.fw.rakuten.ne.jp", "abc123@pc.fw.rakuten.ne.jp" },
		{ "xyz@marketplace.amazon.co.jp", "xyz@marketplace.amazon.co.jp" },
		{ "taro..yamada.@docomo.ne.jp", "taro..yamada.@docomo.ne.jp" },
		{ "first+tag@sub-domain.example.org", "first+tag@sub-domain.example.org" },
		{ "taro＠example。co。jp", "taro@example.co.jp" },	/* IME mode */
		{ "taroーyamada@example｡jp", "taro-yamada@example.jp" },
		{ "", NULL },
		{ "   ", NULL },
		{ "　", NULL },			/* ideographic space only */
	};
	static const struct ecase e[] = {
		{ "taro", "'taro' is not an e-mail address" },
		{ "taro@localhost", "is not an e-mail address" },
		{ "@example.com", "is not an e-mail address" },
		{ "taro@", "is not an e-mail address" },
		{ "taro@@example.com", "is not an e-mail address" },
		{ "a@b@example.com", "is not an e-mail address" },
		{ "taro yamada@example.com", "is not an e-mail address" },
		{ "Taro <taro@example.com>", "is not an e-mail address" },
		{ "taro@example..com", "is not an e-mail address" },
		{ "taro@.example.com", "is not an e-mail address" },
		{ "taro@example.com.", "is not an e-mail address" },
		{ "taro@-example.com", "is not an e-mail address" },
		{ "taro@exa_mple.com", "is not an e-mail address" },
		{ "taro,hanako@example.com", "is not an e-mail address" },
		{ "\xff@example.com", "invalid UTF-8" },
	};

	good(t, "email", crm_norm_email, c, N(c));
	garbage(t, "email", crm_norm_email, e, N(e));
}

static void
test_phone(struct tap *t)
{
	static const struct scase c[] = {
		{ "090-1234-5678", "09012345678" },
		{ "09012345678", "09012345678" },
		{ "０９０−１２３４−５６７８", "09012345678" },	/* U+2212 minus */
		{ "０９０－１２３４－５６７８", "09012345678" },	/* U+FF0D */
		{ "090ー1234ー5678", "09012345678" },		/* U+30FC */
		{ "090ｰ1234ｰ5678", "09012345678" },		/* U+FF70 */
		{ "090‐1234‐5678", "09012345678" },		/* U+2010 */
		{ "090–1234—5678", "09012345678" },		/* U+2013, U+2014 */
		{ "090―1234―5678", "09012345678" },		/* U+2015 */
		{ "+81 90-1234-5678", "09012345678" },
		{ "+819012345678", "09012345678" },
		{ "＋８１　９０　１２３４　５６７８", "09012345678" },
		{ "81-3-1234-5678", "0312345678" },
		{ "+81 (0)3-1234-5678", "0312345678" },
		{ "(03)1234-5678", "0312345678" },
		{ "（０３）１２３４－５６７８", "0312345678" },
		{ "03 1234 5678", "0312345678" },
		{ "03.1234.5678", "0312345678" },
		{ "0120-123-456", "0120123456" },
		{ "9012345678", "09012345678" },		/* leading 0 lost */
		{ "8012345678", "08012345678" },
		{ "+1 415 555 0100", "+14155550100" },
		{ "+44 20 7946 0958", "+442079460958" },
		{ "", NULL },
		{ " ", NULL },
	};
	static const struct ecase e[] = {
		{ "12ab", "phone: '12ab' is not a phone number" },
		{ "090-1234-567x", "is not a phone number" },
		{ "TEL 090-1234-5678", "is not a phone number" },
		{ "03-1234-5678 内線12", "is not a phone number" },
		{ "12345", "expected 6 to 15 digits" },
		{ "1234567890123456", "expected 6 to 15 digits" },
		{ "+81 3", "expected 6 to 15 digits" },
		{ "---", "is not a phone number" },
		{ "090+1234", "is not a phone number" },
	};

	good(t, "phone", crm_norm_phone, c, N(c));
	garbage(t, "phone", crm_norm_phone, e, N(e));
}

static void
test_name(struct tap *t)
{
	static const struct scase c[] = {
		{ "山田 太郎", "山田太郎" },
		{ "山田　太郎", "山田太郎" },
		{ "　山田　　太郎　", "山田太郎" },
		{ "髙橋一郎", "高橋一郎" },
		{ "山﨑", "山崎" },
		{ "山嵜", "山崎" },
		{ "渡邊", "渡辺" },
		{ "渡邉", "渡辺" },
		{ "濵田", "浜田" },
		{ "濱田", "浜田" },
		{ "齋藤", "斎藤" },
		{ "齊藤", "斉藤" },	/* 斉 and 斎 stay apart */
		{ "冨田", "富田" },
		{ "小嶋", "小島" },
		{ "槇原", "槙原" },
		{ "桒原", "桑原" },
		{ "德川", "徳川" },
		{ "𠮷田", "吉田" },
		{ "ＹＡＭＡＤＡ Taro", "yamadataro" },
		{ "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ" },
		{ "やまだ", "やまだ" },	/* names keep hiragana */
		{ "山田 太郎 様", "山田太郎" },
		{ "山田太郎様", "山田太郎" },
		{ "浅間殿", "浅間殿" },
		{ "様", "様" },
		{ "ジョン・スミス", "ジョンスミス" },
		{ "ｼﾞｮﾝ･ｽﾐｽ", "ジョンスミス" },
		{ "", NULL },
		{ "　", NULL },
	};
	static const struct ecase e[] = {
		{ "\xe5\xb1\xb1\xff", "name: invalid UTF-8" },
	};

	good(t, "name", crm_norm_name, c, N(c));
	garbage(t, "name", crm_norm_name, e, N(e));
}

static void
test_kana(struct tap *t)
{
	static const struct scase c[] = {
		{ "ヤマダ タロウ", "ヤマダタロウ" },
		{ "やまだ　たろう", "ヤマダタロウ" },
		{ "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ" },
		{ "ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ" },
		{ "ﾊﾟﾋﾟﾌﾟ", "パピプ" },
		{ "ゆうこ", "ユウコ" },
		{ "ゞ", "ヾ" },
		{ "ヤマダ・ハナコ", "ヤマダハナコ" },
		{ "あさま", "アサマ" },			/* 浅間: さま is no honorific here */
		{ "ヤマダ タロウ 様", "ヤマダタロウ" },
		{ "ｽｽﾞｷ ｲﾁﾛｰ", "スズキイチロー" },
		{ "Yamada", "yamada" },
		{ "", NULL },
	};
	static const struct ecase e[] = {
		{ "\xe3\x81", "kana: invalid UTF-8" },
	};

	good(t, "kana", crm_norm_kana, c, N(c));
	garbage(t, "kana", crm_norm_kana, e, N(e));
}

static void
test_postcode(struct tap *t)
{
	static const struct scase c[] = {
		{ "123-4567", "1234567" },
		{ "1234567", "1234567" },
		{ "〒123-4567", "1234567" },
		{ "〒 123-4567", "1234567" },
		{ "〒１２３－４５６７", "1234567" },
		{ "１２３−４５６７", "1234567" },	/* U+2212 */
		{ "１２３ー４５６７", "1234567" },	/* U+30FC */
		{ "１２３４５６７", "1234567" },
		{ " 123 4567 ", "1234567" },
		{ "〶100-0001", "1000001" },		/* circled postal mark */
		{ "SW1A 1AA", "SW1A 1AA" },
		{ "sw1a 1aa", "SW1A 1AA" },
		{ "12345", "12345" },			/* US ZIP */
		{ "94103-1234", "94103-1234" },		/* ZIP+4 */
		{ "123456", "123456" },			/* e.g. Singapore */
		{ "K1A 0B1", "K1A 0B1" },
		{ "ＳＷ１Ａ　１ＡＡ", "SW1A 1AA" },		/* IME mode, still British */
		{ "", NULL },
		{ "　", NULL },
	};
	static const struct ecase e[] = {
		{ "123-456", "'123-456' is not a postcode" },
		{ "〒123-456", "is not a postcode" },
		{ "〒1234-5678", "is not a postcode" },
		{ "１２３４５６", "is not a postcode" },	/* full width: Japanese */
		{ "東京都", "is not a postcode" },
		{ "ABC", "is not a postcode" },
		{ "1234567890123", "is not a postcode" },
		{ "12#45", "is not a postcode" },
		{ "〒SW1A 1AA", "is not a postcode" },
		{ "１２３４５", "is not a postcode" },
	};

	good(t, "postcode", crm_norm_postcode, c, N(c));
	garbage(t, "postcode", crm_norm_postcode, e, N(e));
}

static void
test_address(struct tap *t)
{
	static const struct scase c[] = {
		{ "東京都千代田区丸の内1-2-3", "東京都千代田区丸の内1-2-3" },
		{ "東京都千代田区丸の内１－２－３", "東京都千代田区丸の内1-2-3" },
		{ "東京都千代田区丸の内１−２−３", "東京都千代田区丸の内1-2-3" },
		{ "東京都千代田区丸の内１ー２ー３", "東京都千代田区丸の内1-2-3" },
		{ "東京都千代田区丸の内1丁目2番3号", "東京都千代田区丸の内1-2-3" },
		{ "東京都千代田区丸の内一丁目二番三号", "東京都千代田区丸の内1-2-3" },
		{ "東京都 千代田区 丸の内 1丁目2番地3", "東京都千代田区丸の内1-2-3" },
		{ "千代田区一番町5-6", "千代田区一番町5-6" },	/* 番町 is a name */
		{ "中央区八丁堀2丁目", "中央区八丁堀2" },
		{ "新宿区四谷二十三番地", "新宿区四谷23" },
		{ "大阪市北区梅田1-2-3 メゾン梅田101", "大阪市北区梅田1-2-3メゾン梅田101" },
		{ "大阪市北区梅田1丁目2-3　メゾン梅田１０１", "大阪市北区梅田1-2-3メゾン梅田101" },
		{ "港区1番地の2", "港区1-2" },
		{ "ＡＢＣビル", "abcビル" },
		{ "メゾン-ド-パリ 3号", "メゾン-ド-パリ3" },	/* a hyphen in a name stays */
		{ "丁-目", "丁-目" },				/* and forms no new word */
		{ "", NULL },
	};

	good(t, "address", crm_norm_address, c, N(c));
}

/*
 * A key must fold to itself: crm-dedupe stores keys and compares new
 * input with them.  Inputs include what a fuzzer found: a soft hyphen and
 * a macron (NFKC: space + U+0304), hyphens that joined 丁 and 目.
 */
static void
test_idempotent(struct tap *t)
{
	static const char *const in[] = {
		"\xC2\xAD" "e" "\xC2\xAF", "杺一-\x1c\t\t一\t\t号", "一丁-目丁",
		"髙橋　一郎", "ﾀｶﾊｼ ｲﾁﾛｳ", "＋８１　９０－１２３４－５６７８", "〒１２３－４５６７",
		"東京都千代田区一丁目2番地の3 メゾン-ド 101号室", "ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
		"sw1a 1aa", "ｶﾞ a\xCC\x8A b", "Ａ\xE3\x80\x80\xE2\x80\x8Bｂ",
	};
	static const struct {
		const char *what;
		strfn fn;
	} f[] = {
		{ "email", crm_norm_email }, { "phone", crm_norm_phone },
		{ "name", crm_norm_name }, { "kana", crm_norm_kana },
		{ "postcode", crm_norm_postcode }, { "address", crm_norm_address },
	};
	struct crm_err err;
	char *a, *b, name[256];
	size_t i, j;
	int bad;

	for (j = 0; j < N(f); j++) {
		bad = 0;
		for (i = 0; i < N(in); i++) {
			a = b = NULL;
			if (f[j].fn(in[i], &a, &err) == 0 && a != NULL &&
			    (f[j].fn(a, &b, &err) != 0 || b == NULL || strcmp(a, b) != 0)) {
				printf("#   %s: '%s' -> '%s' -> '%s'\n", f[j].what, in[i], a,
				    b ? b : "(error)");
				bad++;
			}
			free(a);
			free(b);
		}
		snprintf(name, sizeof name, "%s keys fold to themselves", f[j].what);
		tap_is_int(t, bad, 0, name);
	}
	for (i = 0, bad = 0; i < N(in); i++) {
		a = crm_norm_fold(in[i]);
		b = crm_norm_fold(a);
		bad += strcmp(a, b) != 0;
		free(a);
		free(b);
	}
	tap_is_int(t, bad, 0, "crm_norm_fold folds to itself");
}

static void
test_prefecture(struct tap *t)
{
	static const struct {
		const char *in, *want;
	} c[] = {
		{ "東京都", "東京都" }, { "東京", "東京都" }, { " 東京 ", "東京都" },
		{ "大阪", "大阪府" }, { "大阪府", "大阪府" }, { "京都", "京都府" },
		{ "京都府", "京都府" }, { "北海道", "北海道" }, { "神奈川", "神奈川県" },
		{ "神奈川県", "神奈川県" }, { "鹿児島", "鹿児島県" }, { "沖縄県", "沖縄県" },
		{ "tokyo", "東京都" }, { "Tokyo", "東京都" }, { "TOKYO", "東京都" },
		{ "Tokyo-to", "東京都" }, { "Tōkyō", "東京都" }, { "toukyou", "東京都" },
		{ "osaka", "大阪府" }, { "Osaka-fu", "大阪府" }, { "Kyoto", "京都府" },
		{ "Hokkaido", "北海道" }, { "Hokkai-do", "北海道" },
		{ "Kanagawa Prefecture", "神奈川県" }, { "Hyogo", "兵庫県" },
		{ "Hyōgo", "兵庫県" }, { "Kochi", "高知県" }, { "Ōita", "大分県" },
		{ "Gunma", "群馬県" }, { "Gumma", "群馬県" }, { "ＴＯＫＹＯ", "東京都" },
	};
	static const struct ecase e[] = {
		{ "東京府", "'東京府' is not a prefecture" },
		{ "Tokio", "is not a prefecture" },
		{ "千代田区", "is not a prefecture" },
		{ "北海", "is not a prefecture" },
		{ "京", "is not a prefecture" },
	};
	struct crm_err err;
	const char *out;
	char name[256];
	size_t i;
	int r, n;

	for (i = 0; i < N(c); i++) {
		out = NULL;
		r = crm_norm_prefecture(c[i].in, &out, &err);
		snprintf(name, sizeof name, "prefecture '%s' -> %s", c[i].in, c[i].want);
		tap_is_str(t, r == 0 ? out : "(failed)", c[i].want, name);
	}
	for (i = 0; i < N(e); i++) {
		crm_err_clear(&err);
		r = crm_norm_prefecture(e[i].in, &out, &err);
		snprintf(name, sizeof name, "prefecture '%s' is garbage: EX_DATAERR",
		    e[i].in);
		tap_ok(t, r == -1 && err.code == EX_DATAERR && out == NULL, name);
		snprintf(name, sizeof name, "prefecture '%s': message", e[i].in);
		if (!tap_ok(t, strstr(err.msg, e[i].msg) != NULL, name))
			printf("#   message: %s\n", err.msg);
	}
	r = crm_norm_prefecture("", &out, &err);
	tap_ok(t, r == 0 && out == NULL, "empty prefecture: no value");

	/* Every one of the 47 round-trips, with and without its suffix. */
	for (i = 0, n = 0; i < 47; i++) {
		const char *p = crm_pref_name((int)i);
		char bare[32];
		size_t len = strlen(p);

		if (crm_pref_code(p) != (int)i + 1)
			continue;
		if (crm_norm_prefecture(p, &out, &err) < 0 || strcmp(out, p) != 0)
			continue;
		memcpy(bare, p, len + 1);
		if (i != 0)
			bare[len - 3] = '\0';	/* 都, 府, 県: 3 bytes */
		if (crm_norm_prefecture(bare, &out, &err) < 0 || strcmp(out, p) != 0)
			continue;
		n++;
	}
	tap_is_int(t, n, 47, "all 47 prefectures, with and without suffix");
	tap_is_str(t, crm_pref_name(0), "北海道", "prefecture 1 is 北海道");
	tap_is_str(t, crm_pref_name(12), "東京都", "prefecture 13 is 東京都");
	tap_is_str(t, crm_pref_name(46), "沖縄県", "prefecture 47 is 沖縄県");
	tap_ok(t, crm_pref_name(47) == NULL && crm_pref_name(-1) == NULL,
	    "no prefecture outside 0..46");
	tap_is_int(t, crm_pref_code("東京"), 0, "pref_code wants the canonical name");
	tap_is_int(t, crm_pref_code("大阪府"), 27, "pref_code 大阪府 = 27");
}

static void
test_pref_from_address(struct tap *t)
{
	static const struct {
		const char *addr, *pref, *rest;
	} c[] = {
		{ "東京都千代田区丸の内1-2-3", "東京都", "千代田区丸の内1-2-3" },
		{ "京都府京都市左京区", "京都府", "京都市左京区" },
		{ "京都市左京区", "京都府", "京都市左京区" },
		{ "大阪市北区梅田", "大阪府", "大阪市北区梅田" },
		{ "北海道札幌市", "北海道", "札幌市" },
		{ "神奈川県横浜市", "神奈川県", "横浜市" },
		{ "　東京都港区", "東京都", "港区" },
		{ " 大阪府堺市", "大阪府", "堺市" },
		{ "石川町", NULL, "石川町" },		/* in 福島県 */
		{ "山形村", NULL, "山形村" },		/* in 長野県 */
		{ "東京千代田区", NULL, "東京千代田区" },
		{ "千代田区丸の内", NULL, "千代田区丸の内" },
		{ "", NULL, "" },
	};
	char name[256];
	size_t i, len;
	const char *p;

	for (i = 0; i < N(c); i++) {
		len = 999;
		p = crm_pref_from_address(c[i].addr, &len);
		snprintf(name, sizeof name, "pref of address '%s'", c[i].addr);
		tap_is_str(t, p, c[i].pref, name);
		snprintf(name, sizeof name, "rest of address '%s'", c[i].addr);
		tap_is_str(t, len <= strlen(c[i].addr) ? c[i].addr + len : "(bad len)",
		    c[i].rest, name);
	}
}

static void
test_amount(struct tap *t)
{
	static const struct {
		const char *in;
		int64_t want;
	} c[] = {
		{ "1234", 1234 }, { "1,234", 1234 }, { "¥1,234", 1234 },
		{ "￥1,234", 1234 }, { "1234円", 1234 }, { "１，２３４円", 1234 },
		{ "１２３４", 1234 }, { "'1234", 1234 }, { "-500", -500 },
		{ "−500", -500 }, { "▲500", -500 }, { "¥-500", -500 },
		{ "-¥500", -500 }, { "1234.00", 1234 }, { "1234.0", 1234 },
		{ "0", 0 }, { " 1,234,567 円 ", 1234567 }, { "\\1,234", 1234 },
		{ "1234 JPY", 1234 }, { "9223372036854775", 9223372036854775LL },
	};
	static const struct ecase e[] = {
		{ "12.5", "'12.5' is not an amount in yen" },
		{ "1,23", "is not an amount in yen" },
		{ "12,34", "is not an amount in yen" },
		{ "1234,", "is not an amount in yen" },
		{ ",123", "is not an amount in yen" },
		{ "1,2345", "is not an amount in yen" },
		{ "abc", "is not an amount in yen" },
		{ "$12", "is not an amount in yen" },
		{ "--5", "is not an amount in yen" },
		{ "99999999999999999999", "is not an amount in yen" },
		{ "", "amount: empty" },
		{ "円", "is not an amount in yen" },
	};
	struct crm_err err;
	int64_t v;
	char name[256];
	size_t i;
	int r;

	for (i = 0; i < N(c); i++) {
		v = -999;
		r = crm_norm_amount(c[i].in, &v, &err);
		snprintf(name, sizeof name, "amount '%s' -> %lld", c[i].in,
		    (long long)c[i].want);
		tap_ok(t, r == 0 && v == c[i].want, name);
		if (r != 0 || v != c[i].want)
			printf("#   r=%d v=%lld %s\n", r, (long long)v, r ? err.msg : "");
	}
	for (i = 0; i < N(e); i++) {
		crm_err_clear(&err);
		r = crm_norm_amount(e[i].in, &v, &err);
		snprintf(name, sizeof name, "amount '%s' is garbage", e[i].in);
		tap_ok(t, r == -1 && err.code == EX_DATAERR, name);
		snprintf(name, sizeof name, "amount '%s': message", e[i].in);
		if (!tap_ok(t, strstr(err.msg, e[i].msg) != NULL, name))
			printf("#   message: %s\n", err.msg);
	}

	r = crm_norm_int("１２", &v, &err);
	tap_ok(t, r == 0 && v == 12, "int '１２' -> 12");
	r = crm_norm_int("1,000", &v, &err);
	tap_ok(t, r == 0 && v == 1000, "int '1,000' -> 1000");
	r = crm_norm_int("'3", &v, &err);
	tap_ok(t, r == 0 && v == 3, "int \"'3\" -> 3");
	r = crm_norm_int("2.0", &v, &err);
	tap_ok(t, r == 0 && v == 2, "int '2.0' -> 2");
	crm_err_clear(&err);
	r = crm_norm_int("-1", &v, &err);
	tap_ok(t, r == -1 && err.code == EX_DATAERR &&
	    strstr(err.msg, "'-1' is not a whole number >= 0") != NULL,
	    "int '-1' is garbage");
	crm_err_clear(&err);
	r = crm_norm_int("1.5", &v, &err);
	tap_ok(t, r == -1 && err.code == EX_DATAERR, "int '1.5' is garbage");
	crm_err_clear(&err);
	r = crm_norm_int("1234円", &v, &err);
	tap_ok(t, r == -1 && err.code == EX_DATAERR, "int '1234円' is garbage");
}

static void
test_bool(struct tap *t)
{
	static const struct {
		const char *in;
		int want;
	} c[] = {
		{ "yes", 1 }, { "no", 0 }, { "YES", 1 }, { "No", 0 }, { "y", 1 },
		{ "n", 0 }, { "1", 1 }, { "0", 0 }, { "１", 1 }, { "０", 0 },
		{ "true", 1 }, { "false", 0 }, { "TRUE", 1 }, { "on", 1 },
		{ "off", 0 }, { "ｙｅｓ", 1 }, { " yes ", 1 },
		{ "受け取る", 1 }, { "受け取らない", 0 }, { "希望する", 1 },
		{ "希望しない", 0 }, { "する", 1 }, { "しない", 0 }, { "有", 1 },
		{ "無", 0 }, { "あり", 1 }, { "なし", 0 }, { "○", 1 }, { "〇", 1 },
		{ "×", 0 }, { "許可", 1 }, { "拒否", 0 }, { "配信する", 1 },
		{ "配信しない", 0 }, { "はい", 1 }, { "いいえ", 0 },
	};
	static const struct ecase e[] = {
		{ "maybe", "'maybe' is not yes or no" },
		{ "2", "is not yes or no" },
		{ "", "is not yes or no" },
		{ "yes please", "is not yes or no" },
	};
	struct crm_err err;
	char name[256];
	size_t i;
	int r, v;

	for (i = 0; i < N(c); i++) {
		v = -1;
		r = crm_norm_bool(c[i].in, &v, &err);
		snprintf(name, sizeof name, "bool '%s' -> %d", c[i].in, c[i].want);
		tap_ok(t, r == 0 && v == c[i].want, name);
	}
	for (i = 0; i < N(e); i++) {
		crm_err_clear(&err);
		r = crm_norm_bool(e[i].in, &v, &err);
		snprintf(name, sizeof name, "bool '%s' is garbage", e[i].in);
		tap_ok(t, r == -1 && err.code == EX_DATAERR, name);
		snprintf(name, sizeof name, "bool '%s': message", e[i].in);
		if (!tap_ok(t, strstr(err.msg, e[i].msg) != NULL, name))
			printf("#   message: %s\n", err.msg);
	}
}

static void
test_status(struct tap *t)
{
	static const struct {
		const char *in, *want;
	} c[] = {
		{ "ok", "ok" }, { "OK", "ok" }, { "normal", "ok" }, { "完了", "ok" },
		{ "発送済", "ok" }, { "出荷済", "ok" }, { "新規受付", "ok" },
		{ "処理中", "ok" }, { "paid", "ok" }, { "Shipped", "ok" },
		{ "発送待ち", "ok" }, { "cancelled", "cancelled" },
		{ "canceled", "cancelled" }, { "Cancel", "cancelled" },
		{ "CANCELLED", "cancelled" }, { "キャンセル", "cancelled" },
		{ "ｷｬﾝｾﾙ", "cancelled" }, { "取消", "cancelled" },
		{ "取り消し", "cancelled" }, { "returned", "returned" },
		{ "return", "returned" }, { "refunded", "returned" },
		{ "返品", "returned" }, { "返金", "returned" }, { " 返品 ", "returned" },
		{ "発送完了", "ok" }, { "注文確定", "ok" }, { "入金待ち", "ok" },
		{ "注文キャンセル", "cancelled" }, { "voided", "cancelled" },
		{ "キャンセル確定", "cancelled" }, { "返品済み", "returned" },
	};
	static const struct ecase e[] = {
		{ "lost", "'lost' is not an order status" },
		{ "キャンセル待ち", "is not an order status" },
		{ "?", "is not an order status" },
	};
	struct crm_err err;
	const char *out;
	char name[256];
	size_t i;
	int r;

	for (i = 0; i < N(c); i++) {
		out = NULL;
		r = crm_norm_status(c[i].in, &out, &err);
		snprintf(name, sizeof name, "status '%s' -> %s", c[i].in, c[i].want);
		tap_is_str(t, r == 0 ? out : "(failed)", c[i].want, name);
	}
	for (i = 0; i < N(e); i++) {
		crm_err_clear(&err);
		r = crm_norm_status(e[i].in, &out, &err);
		snprintf(name, sizeof name, "status '%s' is garbage", e[i].in);
		tap_ok(t, r == -1 && err.code == EX_DATAERR && out == NULL, name);
		snprintf(name, sizeof name, "status '%s': message", e[i].in);
		if (!tap_ok(t, strstr(err.msg, e[i].msg) != NULL, name))
			printf("#   message: %s\n", err.msg);
	}
	r = crm_norm_status("", &out, &err);
	tap_ok(t, r == 0 && out == NULL, "empty status: no value (caller's default)");
}

/* The spellings of one person on three shops must give the same keys:
 * this is what crm-dedupe's rules rely on. */
static void
test_same_person(struct tap *t)
{
	struct crm_err err;
	char *a, *b;

	crm_norm_name("髙橋　一郎", &a, &err);
	crm_norm_name("高橋 一郎", &b, &err);
	tap_is_str(t, a, b, "髙橋　一郎 and 高橋 一郎: same name key");
	free(a);
	free(b);
	crm_norm_kana("ﾀｶﾊｼ ｲﾁﾛｳ", &a, &err);
	crm_norm_kana("たかはし　いちろう", &b, &err);
	tap_is_str(t, a, b, "ﾀｶﾊｼ ｲﾁﾛｳ and たかはし　いちろう: same kana key");
	free(a);
	free(b);
	crm_norm_phone("０９０−１２３４−５６７８", &a, &err);
	crm_norm_phone("+81 90 1234 5678", &b, &err);
	tap_is_str(t, a, b, "full-width and +81 phone: same key");
	free(a);
	free(b);
	crm_norm_email("ＩＣＨＩＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ", &a, &err);
	crm_norm_email("ichiro@example.jp", &b, &err);
	tap_is_str(t, a, b, "full-width upper-case e-mail: same key");
	free(a);
	free(b);
}

int
main(void)
{
	struct tap t = TAP_INIT;

	test_fold(&t);
	test_email(&t);
	test_phone(&t);
	test_name(&t);
	test_kana(&t);
	test_postcode(&t);
	test_address(&t);
	test_idempotent(&t);
	test_prefecture(&t);
	test_pref_from_address(&t);
	test_amount(&t);
	test_bool(&t);
	test_status(&t);
	test_same_person(&t);
	return tap_done(&t);
}
