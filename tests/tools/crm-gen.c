/* crm-gen: a deterministic generator of realistic multi-channel order
 * exports, with the ground truth of who is who.  A test and benchmark
 * helper (built to build/tests/crm-gen, never installed).
 *
 * The same --seed and --customers give the same population whatever the
 * --format, so the Shopify, Rakuten and Amazon files of one run describe
 * the same people and the generic file holds all three channels.  Each
 * person is generated from a random stream of its own (seed, index), and
 * each order from (seed, index, n), so that any scale streams in a small
 * amount of memory: only the (date, person, n) of every order is kept, to
 * write the orders in date order as shops export them. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enc.h"
#include "err.h"
#include "util.h"
#include "banned.h"

/* ---- random numbers: splitmix64, one stream per person and per order */

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed, uint64_t a, uint64_t b)
{
	r->s = seed * 0xD1B54A32D192ED03ULL ^ a * 0xABC98388FB8FAC03ULL ^
	    b * 0x8CB92BA72F3D8DD7ULL;
	rng_next(r);
}

/* 0..n-1 */
static uint32_t
rnd(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* true with probability pct/100 */
static int
chance(struct rng *r, unsigned pct10000)
{
	return rnd(r, 10000) < pct10000;
}
#define PCT(x) ((unsigned)((x) * 100))

/* index by weight */
static int
pick(struct rng *r, const unsigned *w, int n)
{
	unsigned total = 0, x;
	int i;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rnd(r, total);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* ---- the data, written for this project */

/* Common surnames with kana and romaji; the fourth column is an old or
 * variant form that the same families write (髙橋 for 高橋 ...). */
static const struct surname {
	const char *kanji, *kana, *romaji, *variant;
} surnames[] = {
	{ "佐藤", "サトウ", "sato", NULL }, { "鈴木", "スズキ", "suzuki", NULL },
	{ "高橋", "タカハシ", "takahashi", "髙橋" }, { "田中", "タナカ", "tanaka", NULL },
	{ "伊藤", "イトウ", "ito", NULL }, { "渡辺", "ワタナベ", "watanabe", "渡邊" },
	{ "山本", "ヤマモト", "yamamoto", NULL }, { "中村", "ナカムラ", "nakamura", NULL },
	{ "小林", "コバヤシ", "kobayashi", NULL }, { "加藤", "カトウ", "kato", NULL },
	{ "吉田", "ヨシダ", "yoshida", "𠮷田" }, { "山田", "ヤマダ", "yamada", NULL },
	{ "佐々木", "ササキ", "sasaki", NULL }, { "山口", "ヤマグチ", "yamaguchi", NULL },
	{ "松本", "マツモト", "matsumoto", NULL }, { "井上", "イノウエ", "inoue", NULL },
	{ "木村", "キムラ", "kimura", NULL }, { "林", "ハヤシ", "hayashi", NULL },
	{ "斎藤", "サイトウ", "saito", "齋藤" }, { "清水", "シミズ", "shimizu", NULL },
	{ "山崎", "ヤマザキ", "yamazaki", "山﨑" }, { "森", "モリ", "mori", NULL },
	{ "池田", "イケダ", "ikeda", NULL }, { "橋本", "ハシモト", "hashimoto", NULL },
	{ "阿部", "アベ", "abe", NULL }, { "石川", "イシカワ", "ishikawa", NULL },
	{ "山下", "ヤマシタ", "yamashita", NULL }, { "中島", "ナカジマ", "nakajima", "中嶋" },
	{ "石井", "イシイ", "ishii", NULL }, { "小川", "オガワ", "ogawa", NULL },
	{ "前田", "マエダ", "maeda", NULL }, { "岡田", "オカダ", "okada", NULL },
	{ "長谷川", "ハセガワ", "hasegawa", NULL }, { "藤田", "フジタ", "fujita", NULL },
	{ "後藤", "ゴトウ", "goto", NULL }, { "近藤", "コンドウ", "kondo", NULL },
	{ "村上", "ムラカミ", "murakami", NULL }, { "遠藤", "エンドウ", "endo", NULL },
	{ "青木", "アオキ", "aoki", NULL }, { "坂本", "サカモト", "sakamoto", NULL },
	{ "斉藤", "サイトウ", "saito", "齊藤" }, { "福田", "フクダ", "fukuda", NULL },
	{ "太田", "オオタ", "ota", NULL }, { "西村", "ニシムラ", "nishimura", NULL },
	{ "藤井", "フジイ", "fujii", NULL }, { "金子", "カネコ", "kaneko", NULL },
	{ "岡本", "オカモト", "okamoto", NULL }, { "藤原", "フジワラ", "fujiwara", NULL },
	{ "中野", "ナカノ", "nakano", NULL }, { "三浦", "ミウラ", "miura", NULL },
	{ "原田", "ハラダ", "harada", NULL }, { "中川", "ナカガワ", "nakagawa", NULL },
	{ "松田", "マツダ", "matsuda", NULL }, { "竹内", "タケウチ", "takeuchi", NULL },
	{ "小野", "オノ", "ono", NULL }, { "田村", "タムラ", "tamura", NULL },
	{ "中山", "ナカヤマ", "nakayama", NULL }, { "和田", "ワダ", "wada", NULL },
	{ "石田", "イシダ", "ishida", NULL }, { "森田", "モリタ", "morita", NULL },
	{ "上田", "ウエダ", "ueda", NULL }, { "原", "ハラ", "hara", NULL },
	{ "内田", "ウチダ", "uchida", NULL }, { "柴田", "シバタ", "shibata", NULL },
	{ "酒井", "サカイ", "sakai", NULL }, { "宮崎", "ミヤザキ", "miyazaki", "宮﨑" },
	{ "横山", "ヨコヤマ", "yokoyama", NULL }, { "高木", "タカギ", "takagi", "髙木" },
	{ "安藤", "アンドウ", "ando", NULL }, { "宮本", "ミヤモト", "miyamoto", NULL },
	{ "大野", "オオノ", "ono", NULL }, { "小島", "コジマ", "kojima", "小嶋" },
	{ "谷口", "タニグチ", "taniguchi", NULL }, { "今井", "イマイ", "imai", NULL },
	{ "工藤", "クドウ", "kudo", NULL }, { "高田", "タカダ", "takada", "髙田" },
	{ "増田", "マスダ", "masuda", NULL }, { "丸山", "マルヤマ", "maruyama", NULL },
	{ "杉山", "スギヤマ", "sugiyama", NULL }, { "村田", "ムラタ", "murata", NULL },
	{ "大塚", "オオツカ", "otsuka", NULL }, { "新井", "アライ", "arai", NULL },
	{ "小山", "コヤマ", "koyama", NULL }, { "平野", "ヒラノ", "hirano", NULL },
	{ "藤本", "フジモト", "fujimoto", NULL }, { "河野", "コウノ", "kono", NULL },
	{ "上野", "ウエノ", "ueno", NULL }, { "野口", "ノグチ", "noguchi", NULL },
	{ "武田", "タケダ", "takeda", NULL }, { "松井", "マツイ", "matsui", NULL },
	{ "千葉", "チバ", "chiba", NULL }, { "岩崎", "イワサキ", "iwasaki", "岩﨑" },
	{ "菅原", "スガワラ", "sugawara", NULL }, { "木下", "キノシタ", "kinoshita", NULL },
	{ "久保", "クボ", "kubo", NULL }, { "佐野", "サノ", "sano", NULL },
	{ "野村", "ノムラ", "nomura", NULL }, { "松尾", "マツオ", "matsuo", NULL },
	{ "市川", "イチカワ", "ichikawa", NULL }, { "菊地", "キクチ", "kikuchi", NULL },
	{ "杉本", "スギモト", "sugimoto", NULL }, { "浜田", "ハマダ", "hamada", "濱田" },
	{ "渡部", "ワタナベ", "watanabe", NULL }, { "沢田", "サワダ", "sawada", "澤田" },
	{ "広瀬", "ヒロセ", "hirose", "廣瀬" }, { "桑原", "クワバラ", "kuwabara", "桒原" },
	{ "富田", "トミタ", "tomita", "冨田" }, { "徳永", "トクナガ", "tokunaga", "德永" },
	{ "槙野", "マキノ", "makino", "槇野" }, { "島田", "シマダ", "shimada", "嶋田" },
};
#define NSURNAMES (int)(sizeof surnames / sizeof surnames[0])

static const struct given {
	const char *kanji, *kana, *romaji, *variant;
	int female;
} givens[] = {
	{ "太郎", "タロウ", "taro", NULL, 0 }, { "一郎", "イチロウ", "ichiro", NULL, 0 },
	{ "健太", "ケンタ", "kenta", NULL, 0 }, { "翔太", "ショウタ", "shota", NULL, 0 },
	{ "大輔", "ダイスケ", "daisuke", NULL, 0 }, { "拓也", "タクヤ", "takuya", NULL, 0 },
	{ "直樹", "ナオキ", "naoki", NULL, 0 }, { "健一", "ケンイチ", "kenichi", NULL, 0 },
	{ "誠", "マコト", "makoto", NULL, 0 }, { "隆", "タカシ", "takashi", NULL, 0 },
	{ "浩", "ヒロシ", "hiroshi", NULL, 0 }, { "修", "オサム", "osamu", NULL, 0 },
	{ "大樹", "ダイキ", "daiki", NULL, 0 }, { "蓮", "レン", "ren", NULL, 0 },
	{ "陽翔", "ハルト", "haruto", NULL, 0 }, { "悠真", "ユウマ", "yuma", NULL, 0 },
	{ "湊", "ミナト", "minato", NULL, 0 }, { "大翔", "ヒロト", "hiroto", NULL, 0 },
	{ "和也", "カズヤ", "kazuya", NULL, 0 }, { "達也", "タツヤ", "tatsuya", NULL, 0 },
	{ "亮", "リョウ", "ryo", NULL, 0 }, { "剛", "ツヨシ", "tsuyoshi", NULL, 0 },
	{ "博之", "ヒロユキ", "hiroyuki", NULL, 0 }, { "秀樹", "ヒデキ", "hideki", NULL, 0 },
	{ "正人", "マサト", "masato", NULL, 0 }, { "雄一", "ユウイチ", "yuichi", NULL, 0 },
	{ "康弘", "ヤスヒロ", "yasuhiro", NULL, 0 }, { "勝", "マサル", "masaru", NULL, 0 },
	{ "実", "ミノル", "minoru", "實", 0 }, { "清", "キヨシ", "kiyoshi", NULL, 0 },
	{ "翼", "ツバサ", "tsubasa", NULL, 0 }, { "颯太", "ソウタ", "sota", NULL, 0 },
	{ "陸", "リク", "riku", NULL, 0 }, { "悠人", "ユウト", "yuto", NULL, 0 },
	{ "智也", "トモヤ", "tomoya", NULL, 0 }, { "洋平", "ヨウヘイ", "yohei", NULL, 0 },
	{ "慎吾", "シンゴ", "shingo", NULL, 0 }, { "聡", "サトシ", "satoshi", NULL, 0 },
	{ "学", "マナブ", "manabu", NULL, 0 }, { "進", "ススム", "susumu", NULL, 0 },
	{ "豊", "ユタカ", "yutaka", NULL, 0 }, { "徹", "トオル", "toru", NULL, 0 },
	{ "純一", "ジュンイチ", "junichi", NULL, 0 }, { "俊介", "シュンスケ", "shunsuke", NULL, 0 },
	{ "航", "ワタル", "wataru", NULL, 0 }, { "樹", "イツキ", "itsuki", NULL, 0 },
	{ "光", "ヒカル", "hikaru", NULL, 0 }, { "啓介", "ケイスケ", "keisuke", NULL, 0 },
	{ "浩二", "コウジ", "koji", NULL, 0 }, { "栄一", "エイイチ", "eiichi", "榮一", 0 },
	{ "花子", "ハナコ", "hanako", NULL, 1 }, { "陽子", "ヨウコ", "yoko", NULL, 1 },
	{ "恵子", "ケイコ", "keiko", "惠子", 1 }, { "裕子", "ユウコ", "yuko", NULL, 1 },
	{ "美穂", "ミホ", "miho", NULL, 1 }, { "由美", "ユミ", "yumi", NULL, 1 },
	{ "直美", "ナオミ", "naomi", NULL, 1 }, { "久美子", "クミコ", "kumiko", NULL, 1 },
	{ "智子", "トモコ", "tomoko", NULL, 1 }, { "明美", "アケミ", "akemi", NULL, 1 },
	{ "真由美", "マユミ", "mayumi", "眞由美", 1 }, { "美香", "ミカ", "mika", NULL, 1 },
	{ "愛", "アイ", "ai", NULL, 1 }, { "舞", "マイ", "mai", NULL, 1 },
	{ "彩", "アヤ", "aya", NULL, 1 }, { "さくら", "サクラ", "sakura", NULL, 1 },
	{ "結衣", "ユイ", "yui", NULL, 1 }, { "陽菜", "ヒナ", "hina", NULL, 1 },
	{ "美咲", "ミサキ", "misaki", NULL, 1 }, { "葵", "アオイ", "aoi", NULL, 1 },
	{ "凛", "リン", "rin", NULL, 1 }, { "芽依", "メイ", "mei", NULL, 1 },
	{ "結菜", "ユイナ", "yuina", NULL, 1 }, { "優子", "ユウコ", "yuko", NULL, 1 },
	{ "京子", "キョウコ", "kyoko", NULL, 1 }, { "幸子", "サチコ", "sachiko", NULL, 1 },
	{ "和子", "カズコ", "kazuko", NULL, 1 }, { "洋子", "ヨウコ", "yoko", NULL, 1 },
	{ "千尋", "チヒロ", "chihiro", NULL, 1 }, { "麻衣", "マイ", "mai", NULL, 1 },
	{ "沙織", "サオリ", "saori", NULL, 1 }, { "香織", "カオリ", "kaori", NULL, 1 },
	{ "恵美", "エミ", "emi", "惠美", 1 }, { "奈々", "ナナ", "nana", NULL, 1 },
	{ "彩花", "アヤカ", "ayaka", NULL, 1 }, { "七海", "ナナミ", "nanami", NULL, 1 },
	{ "美月", "ミヅキ", "mizuki", NULL, 1 }, { "莉子", "リコ", "riko", NULL, 1 },
	{ "楓", "カエデ", "kaede", NULL, 1 }, { "紗希", "サキ", "saki", NULL, 1 },
	{ "由香", "ユカ", "yuka", NULL, 1 }, { "佳奈", "カナ", "kana", NULL, 1 },
	{ "瞳", "ヒトミ", "hitomi", NULL, 1 }, { "綾香", "アヤカ", "ayaka", NULL, 1 },
	{ "真理子", "マリコ", "mariko", "眞理子", 1 }, { "理恵", "リエ", "rie", NULL, 1 },
	{ "涼子", "リョウコ", "ryoko", NULL, 1 }, { "静香", "シズカ", "shizuka", "靜香", 1 },
	{ "恵", "メグミ", "megumi", NULL, 1 }, { "文子", "フミコ", "fumiko", NULL, 1 },
};
#define NGIVENS (int)(sizeof givens / sizeof givens[0])

/* Prefectures in JIS order: population (2020 census, thousands), the
 * first two digits of their postcodes, the capital's area code, and a
 * few cities or wards. */
static const struct prefdata {
	const char *name;
	unsigned pop;
	int zip_lo, zip_hi;
	const char *area;
	const char *cities[4];
} prefs[47] = {
	{ "北海道", 5225, 40, 99, "011", { "札幌市中央区", "札幌市北区", "旭川市", "函館市" } },
	{ "青森県", 1238, 30, 39, "017", { "青森市", "八戸市", "弘前市", NULL } },
	{ "岩手県", 1211, 20, 29, "019", { "盛岡市", "一関市", NULL, NULL } },
	{ "宮城県", 2302, 980, 989, "022", { "仙台市青葉区", "仙台市泉区", "石巻市", NULL } },
	{ "秋田県", 960, 10, 19, "018", { "秋田市", "横手市", NULL, NULL } },
	{ "山形県", 1068, 990, 999, "023", { "山形市", "米沢市", NULL, NULL } },
	{ "福島県", 1833, 960, 979, "024", { "福島市", "郡山市", "いわき市", NULL } },
	{ "茨城県", 2867, 300, 319, "029", { "水戸市", "つくば市", "日立市", NULL } },
	{ "栃木県", 1933, 320, 329, "028", { "宇都宮市", "小山市", NULL, NULL } },
	{ "群馬県", 1939, 370, 379, "027", { "前橋市", "高崎市", "太田市", NULL } },
	{ "埼玉県", 7345, 330, 369, "048", { "さいたま市浦和区", "川口市", "川越市", "所沢市" } },
	{ "千葉県", 6284, 260, 299, "043", { "千葉市中央区", "船橋市", "松戸市", "柏市" } },
	{ "東京都", 14048, 100, 208, "03", { "世田谷区", "練馬区", "大田区", "八王子市" } },
	{ "神奈川県", 9237, 210, 259, "045", { "横浜市港北区", "川崎市中原区", "相模原市中央区", "藤沢市" } },
	{ "新潟県", 2201, 940, 959, "025", { "新潟市中央区", "長岡市", NULL, NULL } },
	{ "富山県", 1035, 930, 939, "076", { "富山市", "高岡市", NULL, NULL } },
	{ "石川県", 1133, 920, 929, "076", { "金沢市", "白山市", NULL, NULL } },
	{ "福井県", 767, 910, 919, "0776", { "福井市", "坂井市", NULL, NULL } },
	{ "山梨県", 810, 400, 409, "055", { "甲府市", "甲斐市", NULL, NULL } },
	{ "長野県", 2048, 380, 399, "026", { "長野市", "松本市", "上田市", NULL } },
	{ "岐阜県", 1979, 500, 509, "058", { "岐阜市", "大垣市", NULL, NULL } },
	{ "静岡県", 3633, 410, 439, "054", { "静岡市葵区", "浜松市中央区", "富士市", NULL } },
	{ "愛知県", 7542, 440, 499, "052", { "名古屋市中区", "名古屋市千種区", "豊田市", "岡崎市" } },
	{ "三重県", 1770, 510, 519, "059", { "津市", "四日市市", NULL, NULL } },
	{ "滋賀県", 1414, 520, 529, "077", { "大津市", "草津市", NULL, NULL } },
	{ "京都府", 2578, 600, 629, "075", { "京都市左京区", "京都市右京区", "宇治市", NULL } },
	{ "大阪府", 8838, 530, 599, "06", { "大阪市北区", "堺市堺区", "東大阪市", "豊中市" } },
	{ "兵庫県", 5465, 650, 679, "078", { "神戸市中央区", "姫路市", "西宮市", "尼崎市" } },
	{ "奈良県", 1324, 630, 639, "0742", { "奈良市", "橿原市", NULL, NULL } },
	{ "和歌山県", 923, 640, 649, "073", { "和歌山市", "田辺市", NULL, NULL } },
	{ "鳥取県", 553, 680, 689, "0857", { "鳥取市", "米子市", NULL, NULL } },
	{ "島根県", 671, 690, 699, "0852", { "松江市", "出雲市", NULL, NULL } },
	{ "岡山県", 1888, 700, 719, "086", { "岡山市北区", "倉敷市", NULL, NULL } },
	{ "広島県", 2800, 720, 739, "082", { "広島市中区", "福山市", "呉市", NULL } },
	{ "山口県", 1342, 740, 759, "083", { "山口市", "下関市", NULL, NULL } },
	{ "徳島県", 720, 770, 779, "088", { "徳島市", "阿南市", NULL, NULL } },
	{ "香川県", 950, 760, 769, "087", { "高松市", "丸亀市", NULL, NULL } },
	{ "愛媛県", 1335, 790, 799, "089", { "松山市", "今治市", NULL, NULL } },
	{ "高知県", 692, 780, 789, "088", { "高知市", "南国市", NULL, NULL } },
	{ "福岡県", 5135, 800, 839, "092", { "福岡市博多区", "福岡市中央区", "北九州市小倉北区", "久留米市" } },
	{ "佐賀県", 811, 840, 849, "0952", { "佐賀市", "唐津市", NULL, NULL } },
	{ "長崎県", 1312, 850, 859, "095", { "長崎市", "佐世保市", NULL, NULL } },
	{ "熊本県", 1738, 860, 869, "096", { "熊本市中央区", "八代市", NULL, NULL } },
	{ "大分県", 1124, 870, 879, "097", { "大分市", "別府市", NULL, NULL } },
	{ "宮崎県", 1070, 880, 889, "0985", { "宮崎市", "都城市", NULL, NULL } },
	{ "鹿児島県", 1588, 890, 899, "099", { "鹿児島市", "霧島市", NULL, NULL } },
	{ "沖縄県", 1467, 900, 909, "098", { "那覇市", "沖縄市", "浦添市", NULL } },
};

/* Shopify's region codes for the 47 (JP-01 ... JP-47) follow JIS order. */

static const char *const towns[] = {
	"本町", "中央", "栄町", "緑町", "旭町", "幸町", "錦町", "若葉", "桜木町",
	"東町", "西町", "南町", "北町", "新町", "大手町", "宮前", "松原", "青葉台",
	"富士見", "日の出町", "末広町", "寿町", "住吉町", "八幡", "春日", "天神",
	"元町", "駅前", "山手", "泉町",
};
#define NTOWNS (int)(sizeof towns / sizeof towns[0])

static const char *const buildings[] = {
	"メゾン", "コーポ", "ハイツ", "グランドール", "パークハウス", "レジデンス",
	"サンハイム", "ヴィラ", "シャトー", "ライオンズマンション",
};
#define NBUILDINGS (int)(sizeof buildings / sizeof buildings[0])

static const char *const mail_domains[] = {
	/* Reserved example domains (RFC 2606, JPRS): nothing generated here
	 * can reach a real mailbox. */
	"gmail.example.com", "yahoo.example.jp", "docomo.example.jp",
	"ezweb.example.jp", "icloud.example.com", "outlook.example.jp",
	"softbank.example.jp", "nifty.example.com",
};
static const unsigned mail_domain_w[] = { 35, 20, 12, 8, 10, 7, 5, 3 };
#define NDOMAINS 8

static const struct product {
	const char *sku, *name;
	int price, subscription;
	unsigned weight;
} products[] = {
	{ "COF-001", "有機コーヒー豆 200g", 1680, 0, 30 },
	{ "COF-002", "ドリップバッグ 10袋", 980, 0, 40 },
	{ "COF-003", "カフェインレス珈琲 200g", 1880, 0, 10 },
	{ "TEA-001", "静岡煎茶 100g", 1296, 0, 25 },
	{ "TEA-002", "ほうじ茶ティーバッグ 20包", 756, 0, 25 },
	{ "TEA-003", "抹茶 30g（宇治）", 2160, 0, 8 },
	{ "SWT-001", "黒糖かりんとう", 540, 0, 30 },
	{ "SWT-002", "抹茶バウムクーヘン", 2160, 0, 12 },
	{ "SWT-003", "\"限定\" どら焼き 5個入", 1200, 0, 6 },
	{ "GFT-001", "お歳暮ギフトセット, 大", 5400, 0, 5 },
	{ "GFT-002", "お中元ギフトセット", 4320, 0, 5 },
	{ "MUG-001", "波佐見焼マグカップ", 2750, 0, 6 },
	{ "HNY-001", "国産はちみつ 300g", 1980, 0, 10 },
	{ "SUB-001", "定期便 コーヒー豆 月1回", 3240, 1, 0 },
};
#define NPRODUCTS (int)(sizeof products / sizeof products[0])

static const char *const coupons[] = {
	"SUMMER2026", "VIP500", "THANKS10", "MAGAZINE", "LINE300",
};

/* Half-width forms of U+30A1..U+30FC (NULL: none; kept full-width). */
static const char *const hankaku[92] = {
	"ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ",
	"ｫ", "ｵ", "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ",
	"ｹ", "ｹﾞ", "ｺ", "ｺﾞ", "ｻ", "ｻﾞ", "ｼ", "ｼﾞ",
	"ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", "ﾀ", "ﾀﾞ",
	"ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ",
	"ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾊﾞ",
	"ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ",
	"ﾍﾞ", "ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ",
	"ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ", "ｮ", "ﾖ",
	"ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", NULL, "ﾜ", NULL,
	NULL, "ｦ", "ﾝ", "ｳﾞ", NULL, NULL, "ﾜﾞ", NULL,
	NULL, "ｦﾞ", NULL, "ｰ",
};

/* ---- the population */

enum { CH_SHOPIFY, CH_RAKUTEN, CH_AMAZON, NCH };
static const char *const chname[NCH] = { "shopify", "rakuten", "amazon" };

#define MAXORDERS 48

/* How a person writes themself on one channel. */
struct style {
	int variant;		/* old form of the surname/given name */
	int namesp;		/* 0 "高橋 一郎", 1 "高橋　一郎", 2 "高橋一郎" */
	int kana;		/* 0 カタカナ, 1 ひらがな, 2 ﾊﾝｶｸ, 3 no space */
	int phone;		/* 0 090-1234-5678, 1 09012345678, 2 全角, 3 +81, 4 (090) */
	int post;		/* 0 123-4567, 1 1234567, 2 〒123-4567, 3 全角 */
	int use_landline;
};

struct address {
	int pref, city, town, chome, ban, go, building, room;
	int zip;		/* 7 digits */
};

struct person {
	uint32_t idx;		/* 0-based; person_id is P%07u of idx+1 */
	int sur, giv;
	int has_variant;	/* registered name uses the old form */
	struct address addr[2];
	int move_at;		/* order index from which addr[1] is used; -1 */
	char mobile[2][12];	/* digits */
	int newphone_at;
	char landline[12];
	char email[2][96];
	int newmail_at;
	int upper_mail;		/* writes the address in mixed case on some orders */
	char relay[24];		/* Amazon buyer relay, stable per buyer */
	char birthday[11];
	int member;
	int newsletter;
	int subscriber;
	int home;
	struct style st[NCH];
	int norders;
	int32_t day[MAXORDERS];	/* days since 1970-01-01, JST */
	int32_t sec[MAXORDERS];	/* seconds of the day */
	uint8_t ch[MAXORDERS];
};

struct gen {
	uint64_t seed;
	uint32_t customers;
	int32_t first_day, last_day;
};

static unsigned pref_w[47];

static int
joins_household(const struct gen *g, uint32_t i)
{
	struct rng r;

	if (i == 0)
		return 0;
	rng_seed(&r, g->seed, i, 0xF00D);
	return chance(&r, PCT(5));
}

static void
make_address(struct rng *r, struct address *a, int pref)
{
	int nc = 0;

	while (nc < 4 && prefs[pref].cities[nc])
		nc++;
	a->pref = pref;
	a->city = (int)rnd(r, (uint32_t)nc);
	a->town = (int)rnd(r, NTOWNS);
	a->chome = 1 + (int)rnd(r, 6);
	a->ban = 1 + (int)rnd(r, 30);
	a->go = 1 + (int)rnd(r, 25);
	a->building = chance(r, PCT(40)) ? (int)rnd(r, NBUILDINGS) : -1;
	a->room = (1 + (int)rnd(r, 9)) * 100 + 1 + (int)rnd(r, 12);
	/* The first three digits belong to the prefecture (040-099 北海道,
	 * 100-208 東京都 ...). */
	a->zip = (prefs[pref].zip_lo + (int)rnd(r, (uint32_t)(prefs[pref].zip_hi -
	    prefs[pref].zip_lo + 1))) * 10000 + (int)rnd(r, 10000);
}

static void
make_mobile(struct rng *r, char out[12])
{
	static const char *const pre[] = { "090", "080", "070" };
	static const unsigned w[] = { 50, 35, 15 };

	snprintf(out, 12, "%s%04u%04u", pre[pick(r, w, 3)], 1000 + rnd(r, 9000),
	    rnd(r, 10000));
}

/* A landline of the capital's area: 10 digits in all. */
static void
make_landline(struct rng *r, int pref, char out[12])
{
	const char *a = prefs[pref].area;
	size_t n = strlen(a);
	unsigned local = 10 - (unsigned)n - 4, lo = 1, i;

	for (i = 1; i < local; i++)
		lo *= 10;
	snprintf(out, 12, "%s%u%04u", a, lo * 2 + rnd(r, lo * 8), rnd(r, 10000));
}

/* Every address carries the person's number, so two people never share
 * one (two people sharing an address is not what a shop sees). */
static void
make_email(struct rng *r, const struct person *p, int which, char *out, size_t size)
{
	const char *s = surnames[p->sur].romaji, *g = givens[p->giv].romaji;
	const char *d = mail_domains[pick(r, mail_domain_w, NDOMAINS)];
	unsigned id = p->idx + 1 + (unsigned)which * 7919;

	switch (rnd(r, 6)) {
	case 0: snprintf(out, size, "%s.%s%u@%s", g, s, id, d); break;
	case 1: snprintf(out, size, "%s.%s%u@%s", s, g, id, d); break;
	case 2: snprintf(out, size, "%s_%s%u@%s", g, s, id, d); break;
	case 3: snprintf(out, size, "%c-%s%u@%s", g[0], s, id, d); break;
	case 4: snprintf(out, size, "%s%s%u@%s", s, g, id, d); break;
	default:	/* the old docomo shape with doubled dots */
		snprintf(out, size, "%s..%s%u@%s", g, s, id, d); break;
	}
}

/* Seasonal weight of a day (お中元, お歳暮, 楽天スーパーSALE months). */
static unsigned
season(int32_t day)
{
	static const unsigned w[12] = { 9, 8, 10, 9, 10, 11, 14, 10, 9, 10, 13, 18 };
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	return w[tm.tm_mon];
}

static int32_t
seasonal_day(struct rng *r, int32_t lo, int32_t hi)
{
	int32_t d;

	for (;;) {
		d = lo + (int32_t)rnd(r, (uint32_t)(hi - lo + 1));
		if (rnd(r, 18) < season(d))
			return d;
	}
}

static int32_t
time_of_day(struct rng *r)
{
	static const unsigned w[24] = { 4, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6,
	    8, 6, 5, 5, 5, 6, 7, 8, 10, 11, 10, 7 };

	return pick(r, w, 24) * 3600 + (int32_t)rnd(r, 3600);
}

static void
gen_person(const struct gen *g, uint32_t i, struct person *p)
{
	struct rng r;
	struct person base;
	int household = joins_household(g, i) && !joins_household(g, i - 1);
	int c, n, k, loyal;
	unsigned u;
	int32_t d;

	memset(p, 0, sizeof *p);
	p->idx = i;
	rng_seed(&r, g->seed, i, 1);
	if (household)
		gen_person(g, i - 1, &base);
	/* Surnames: a long tail, the common ones far more frequent. */
	{
		unsigned w[NSURNAMES];

		for (k = 0; k < NSURNAMES; k++)
			w[k] = 100000u / (unsigned)(k + 8);
		p->sur = household ? base.sur : pick(&r, w, NSURNAMES);
	}
	p->giv = (int)rnd(&r, NGIVENS);
	/* Two people of one household do not share a full name. */
	if (household && p->giv == base.giv)
		p->giv = (p->giv + 1 + (int)rnd(&r, NGIVENS - 1)) % NGIVENS;
	p->has_variant = (surnames[p->sur].variant || givens[p->giv].variant) &&
	    chance(&r, PCT(35));
	if (household)
		p->has_variant = base.has_variant;
	if (household)
		p->addr[0] = base.addr[0];
	else
		make_address(&r, &p->addr[0], pick(&r, pref_w, 47));
	p->move_at = -1;
	make_mobile(&r, p->mobile[0]);
	make_mobile(&r, p->mobile[1]);
	p->newphone_at = -1;
	if (household)
		memcpy(p->landline, base.landline, sizeof p->landline);
	else
		make_landline(&r, p->addr[0].pref, p->landline);
	make_email(&r, p, 0, p->email[0], sizeof p->email[0]);
	make_email(&r, p, 1, p->email[1], sizeof p->email[1]);
	p->newmail_at = -1;
	p->upper_mail = chance(&r, PCT(4));
	for (k = 0; k < 15; k++)
		p->relay[k] = "abcdefghijklmnopqrstuvwxyz0123456789"[rnd(&r, 36)];
	p->relay[15] = '\0';
	if (chance(&r, PCT(40)))
		snprintf(p->birthday, sizeof p->birthday, "%04u-%02u-%02u",
		    1945 + rnd(&r, 60), 1 + rnd(&r, 12), 1 + rnd(&r, 28));
	p->member = chance(&r, PCT(60));
	p->newsletter = chance(&r, PCT(55));
	p->subscriber = chance(&r, PCT(3));
	{
		static const unsigned w[NCH] = { 35, 45, 20 };

		p->home = pick(&r, w, NCH);
	}
	for (c = 0; c < NCH; c++) {
		static const unsigned kw[4] = { 60, 20, 10, 10 };
		static const unsigned pw[5] = { 55, 25, 8, 7, 5 };
		static const unsigned zw[4] = { 60, 25, 10, 5 };

		p->st[c].variant = p->has_variant && chance(&r, PCT(60));
		p->st[c].namesp = (int)rnd(&r, 3);
		p->st[c].kana = pick(&r, kw, 4);
		p->st[c].phone = pick(&r, pw, 5);
		p->st[c].post = pick(&r, zw, 4);
		p->st[c].use_landline = household ? chance(&r, PCT(70)) :
		    chance(&r, PCT(12));
	}

	/* Orders: most buy once; a few are loyal. */
	u = rnd(&r, 1000);
	loyal = 0;
	if (p->subscriber)
		n = MAXORDERS, loyal = 2;
	else if (u < 580)
		n = 1;
	else if (u < 780)
		n = 2;
	else if (u < 880)
		n = 3;
	else if (u < 940)
		n = 4 + (int)rnd(&r, 3);
	else if (u < 985)
		n = 7 + (int)rnd(&r, 6), loyal = 1;
	else
		n = 13 + (int)rnd(&r, 28), loyal = 1;
	d = seasonal_day(&r, g->first_day, g->last_day);
	for (k = 0; k < n && d <= g->last_day; k++) {
		p->day[k] = d;
		p->sec[k] = time_of_day(&r);
		p->ch[k] = (uint8_t)(chance(&r, PCT(80)) || p->subscriber ? p->home :
		    (p->home + 1 + (int)rnd(&r, NCH - 1)) % NCH);
		if (loyal == 2)
			d += 28 + (int32_t)rnd(&r, 5);
		else
			d += 5 + (int32_t)(rnd(&r, loyal ? 60 : 240));
	}
	p->norders = k;
	/* Life goes on between orders: a move, a new phone, a new address. */
	if (p->norders > 1) {
		if (chance(&r, PCT(10))) {
			p->move_at = 1 + (int)rnd(&r, (uint32_t)p->norders - 1);
			make_address(&r, &p->addr[1], chance(&r, PCT(70)) ?
			    p->addr[0].pref : pick(&r, pref_w, 47));
		}
		if (chance(&r, PCT(6)))
			p->newphone_at = 1 + (int)rnd(&r, (uint32_t)p->norders - 1);
		if (chance(&r, PCT(6)))
			p->newmail_at = 1 + (int)rnd(&r, (uint32_t)p->norders - 1);
	}
}

/* ---- spelling a person on one order */

static void
buf_kana(struct crm_buf *b, const char *kata, int style)
{
	const unsigned char *s = (const unsigned char *)kata;

	while (*s) {
		/* katakana U+30A1..U+30FC are E3 82 A1 .. E3 83 BC */
		if (s[0] == 0xE3 && (s[1] == 0x82 || s[1] == 0x83) && s[2]) {
			unsigned cp = 0x3000 | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);

			if (style == 1 && cp >= 0x30A1 && cp <= 0x30F6) {
				char u[4];

				cp -= 0x60;
				u[0] = (char)0xE3;
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
				u[2] = (char)(0x80 | (cp & 0x3F));
				crm_buf_add(b, u, 3);
				s += 3;
				continue;
			}
			if (style == 2 && cp >= 0x30A1 && cp <= 0x30FC &&
			    hankaku[cp - 0x30A1]) {
				crm_buf_adds(b, hankaku[cp - 0x30A1]);
				s += 3;
				continue;
			}
		}
		crm_buf_addc(b, (char)*s++);
	}
}

struct buyer {
	char name[128], sei[64], mei[64], kana[192], sei_kana[96], mei_kana[96];
	char phone[64], ph[3][8], postcode[64], zip1[8], zip2[8];
	char email[128];
	const char *pref, *city;
	char street[160], building[96], address[320];
	int pref_index;
};

/* Full-width digits and hyphen (U+FF10.., U+FF0D), as typed in IME mode. */
static void
zenkaku(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 4 < size; in++) {
		if (*in >= '0' && *in <= '9') {
			out[o++] = (char)0xEF;
			out[o++] = (char)0xBC;
			out[o++] = (char)(0x90 + (*in - '0'));
		} else if (*in == '-') {
			out[o++] = (char)0xEF;
			out[o++] = (char)0xBC;
			out[o++] = (char)0x8D;
		} else
			out[o++] = *in;
	}
	out[o] = '\0';
}

static void
spell(const struct person *p, int k, int c, struct rng *r, struct buyer *b)
{
	const struct style *st = &p->st[c];
	const struct surname *s = &surnames[p->sur];
	const struct given *gv = &givens[p->giv];
	const struct address *a = &p->addr[p->move_at >= 0 && k >= p->move_at];
	const char *mobile = p->mobile[p->newphone_at >= 0 && k >= p->newphone_at];
	const char *sp[3] = { " ", "　", "" };
	const char *num, *sur, *giv;
	char digits[12], hy[48], tmp[64];
	struct crm_buf kb;
	size_t n;

	memset(b, 0, sizeof *b);
	sur = st->variant && s->variant ? s->variant : s->kanji;
	giv = st->variant && gv->variant ? gv->variant : gv->kanji;
	snprintf(b->sei, sizeof b->sei, "%s", sur);
	snprintf(b->mei, sizeof b->mei, "%s", giv);
	snprintf(b->name, sizeof b->name, "%s%s%s", sur, sp[st->namesp], giv);

	crm_buf_init(&kb);
	buf_kana(&kb, s->kana, st->kana == 3 ? 0 : st->kana);
	crm_strlcpy(b->sei_kana, kb.s, sizeof b->sei_kana);
	crm_buf_reset(&kb);
	buf_kana(&kb, gv->kana, st->kana == 3 ? 0 : st->kana);
	crm_strlcpy(b->mei_kana, kb.s, sizeof b->mei_kana);
	crm_buf_release(&kb);
	snprintf(b->kana, sizeof b->kana, "%s%s%s", b->sei_kana,
	    st->kana == 3 ? "" : st->kana == 2 ? " " : sp[st->namesp == 2 ? 0 : st->namesp],
	    b->mei_kana);

	num = st->use_landline ? p->landline : mobile;
	crm_strlcpy(digits, num, sizeof digits);
	n = strlen(digits);
	/* 090-1234-5678, 03-1234-5678, 045-123-4567, 0776-12-3456 */
	if (n == 11) {
		memcpy(b->ph[0], digits, 3);
		memcpy(b->ph[1], digits + 3, 4);
		memcpy(b->ph[2], digits + 7, 4);
	} else {
		/* The landline belongs to the first home. */
		size_t al = strlen(prefs[p->addr[0].pref].area);

		memcpy(b->ph[0], digits, al);
		memcpy(b->ph[1], digits + al, 6 - al);
		memcpy(b->ph[2], digits + 6, 4);
	}
	snprintf(hy, sizeof hy, "%s-%s-%s", b->ph[0], b->ph[1], b->ph[2]);
	switch (st->phone) {
	case 0: crm_strlcpy(b->phone, hy, sizeof b->phone); break;
	case 1: crm_strlcpy(b->phone, digits, sizeof b->phone); break;
	case 2: zenkaku(hy, b->phone, sizeof b->phone); break;
	case 3: snprintf(b->phone, sizeof b->phone, "+81 %s-%s-%s", b->ph[0] + 1,
		    b->ph[1], b->ph[2]); break;
	default: snprintf(b->phone, sizeof b->phone, "(%s)%s-%s", b->ph[0],
		    b->ph[1], b->ph[2]); break;
	}

	snprintf(b->zip1, sizeof b->zip1, "%03u", (unsigned)a->zip / 10000u % 1000u);
	snprintf(b->zip2, sizeof b->zip2, "%04u", (unsigned)a->zip % 10000u);
	snprintf(hy, sizeof hy, "%s-%s", b->zip1, b->zip2);
	switch (st->post) {
	case 0: crm_strlcpy(b->postcode, hy, sizeof b->postcode); break;
	case 1: snprintf(b->postcode, sizeof b->postcode, "%s%s", b->zip1, b->zip2); break;
	case 2: snprintf(b->postcode, sizeof b->postcode, "〒%s", hy); break;
	default: zenkaku(hy, b->postcode, sizeof b->postcode); break;
	}

	b->pref_index = a->pref;
	b->pref = prefs[a->pref].name;
	b->city = prefs[a->pref].cities[a->city];
	if (rnd(r, 4) == 0)
		snprintf(b->street, sizeof b->street, "%s%d丁目%d番%d号", towns[a->town],
		    a->chome, a->ban, a->go);
	else if (st->phone == 2) {	/* a full-width typist throughout */
		snprintf(tmp, sizeof tmp, "%d-%d-%d", a->chome, a->ban, a->go);
		zenkaku(tmp, hy, sizeof hy);
		snprintf(b->street, sizeof b->street, "%s%s", towns[a->town], hy);
	} else
		snprintf(b->street, sizeof b->street, "%s%d-%d-%d", towns[a->town],
		    a->chome, a->ban, a->go);
	if (a->building >= 0)
		snprintf(b->building, sizeof b->building, "%s%s %d号室",
		    buildings[a->building], towns[a->town], a->room);
	snprintf(b->address, sizeof b->address, "%s%s%s%s", b->city, b->street,
	    b->building[0] ? " " : "", b->building);

	{
		const char *e = p->email[p->newmail_at >= 0 && k >= p->newmail_at];

		crm_strlcpy(b->email, e, sizeof b->email);
		/* "Taro.Sato12@..." on some orders: the key must not care. */
		if (p->upper_mail && rnd(r, 2) == 0)
			for (n = 0; b->email[n] && b->email[n] != '@'; n++)
				if ((n == 0 || b->email[n - 1] == '.' ||
				    b->email[n - 1] == '_') &&
				    b->email[n] >= 'a' && b->email[n] <= 'z')
					b->email[n] = (char)(b->email[n] - 'a' + 'A');
	}
}

/* ---- one order */

struct line {
	int product, qty;
};

struct order {
	uint32_t person;
	int k, ch;
	uint64_t seq;		/* per channel, 0-based, in date order */
	int32_t day, sec;
	int nlines;
	struct line line[3];
	int subtotal, shipping, discount, total;
	const char *coupon;
	int status;		/* 0 ok, 1 cancelled, 2 returned */
	int32_t ship_day;
	char id[96];
};

static void
gen_order(const struct gen *g, const struct person *p, struct order *o)
{
	struct rng r;
	unsigned w[NPRODUCTS];
	int i, j, dup;

	rng_seed(&r, g->seed, p->idx, 1000 + (uint64_t)o->k);
	for (i = 0; i < NPRODUCTS; i++)
		w[i] = products[i].weight;
	if (p->subscriber) {
		o->nlines = 1;
		o->line[0].product = NPRODUCTS - 1;
		o->line[0].qty = 1;
	} else {
		static const unsigned nw[3] = { 70, 22, 8 };
		static const unsigned qw[3] = { 85, 12, 3 };

		o->nlines = 1 + pick(&r, nw, 3);
		for (i = 0; i < o->nlines; i++) {
			do {
				o->line[i].product = pick(&r, w, NPRODUCTS);
				for (dup = 0, j = 0; j < i; j++)
					dup |= o->line[j].product == o->line[i].product;
			} while (dup);
			o->line[i].qty = 1 + pick(&r, qw, 3);
		}
	}
	o->subtotal = 0;
	for (i = 0; i < o->nlines; i++)
		o->subtotal += products[o->line[i].product].price * o->line[i].qty;
	o->shipping = o->subtotal >= 5000 ? 0 : 550;
	o->coupon = NULL;
	o->discount = 0;
	if (o->k == 0 && chance(&r, PCT(25))) {
		o->coupon = "WELCOME500";
		o->discount = 500;
	} else if (chance(&r, PCT(10))) {
		o->coupon = coupons[rnd(&r, 5)];
		o->discount = o->subtotal / 10;
	}
	if (o->discount > o->subtotal)
		o->discount = o->subtotal;
	o->total = o->subtotal + o->shipping - o->discount;
	o->status = chance(&r, PCT(3)) ? 1 : chance(&r, PCT(1)) ? 2 : 0;
	if (o->ch == CH_RAKUTEN && o->status == 2)
		o->status = 0;	/* 楽天ペイ has no return state in its codes */
	o->ship_day = o->day + 1 + (int32_t)rnd(&r, 3);
}

/* Order numbers as each channel writes them. */
static void
order_id(struct order *o)
{
	unsigned __int128 x;
	uint64_t v;

	switch (o->ch) {
	case CH_SHOPIFY:
		snprintf(o->id, sizeof o->id, "#%llu", (unsigned long long)(1001 + o->seq));
		break;
	case CH_RAKUTEN: {
		time_t t = (time_t)o->day * 86400;
		struct tm tm;

		gmtime_r(&t, &tm);
		/* <shop>-<yyyymmdd>-<serial>: a bijection keeps serials unique. */
		x = (unsigned __int128)(o->seq + 1) * 2862933555777941ULL;
		v = (uint64_t)(x % 10000000000ULL);
		snprintf(o->id, sizeof o->id, "274555-%04d%02d%02d-%010llu",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, (unsigned long long)v);
		break;
	}
	default:
		x = (unsigned __int128)(o->seq + 1) * 2862933555777941ULL;
		v = (uint64_t)(x % 100000000000000ULL);
		snprintf(o->id, sizeof o->id, "249-%07llu-%07llu",
		    (unsigned long long)(v / 10000000ULL),
		    (unsigned long long)(v % 10000000ULL));
		break;
	}
}

/* ---- writers */

enum { FMT_GENERIC, FMT_SHOPIFY, FMT_RAKUTEN, FMT_AMAZON, FMT_MEMBERS };

struct out {
	FILE *fp, *truth;
	int fmt;
	const char *encoding;	/* "utf-8" or "cp932" */
	struct crm_buf line, conv;
	struct crm_err err;
	int failed;
};

static void
ts(int32_t day, int32_t sec, const char *fmt, char *out, size_t size)
{
	time_t t = (time_t)day * 86400 + sec;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, fmt, &tm);
}

/* Emit one finished line in the output encoding. */
static void
emit_line(struct out *w)
{
	if (w->failed)
		return;
	if (strcmp(w->encoding, "utf-8") == 0) {
		fwrite(w->line.s, 1, w->line.len, w->fp);
		return;
	}
	crm_buf_reset(&w->conv);
	if (crm_enc_from_utf8(w->encoding, w->line.s, w->line.len, &w->conv,
	    &w->err) < 0) {
		w->failed = 1;
		return;
	}
	fwrite(w->conv.s, 1, w->conv.len, w->fp);
}

/* CSV field, quoted when needed (or always, as Rakuten does). */
static void
field(struct out *w, int first, const char *s, int always)
{
	const char *p;
	int q = always;

	if (!first)
		crm_buf_addc(&w->line, w->fmt == FMT_AMAZON ? '\t' : ',');
	if (s == NULL)
		s = "";
	if (w->fmt == FMT_AMAZON) {
		crm_buf_adds(&w->line, s);
		return;
	}
	for (p = s; *p && !q; p++)
		q = *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
	if (!q) {
		crm_buf_adds(&w->line, s);
		return;
	}
	crm_buf_addc(&w->line, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			crm_buf_addc(&w->line, '"');
		crm_buf_addc(&w->line, *p);
	}
	crm_buf_addc(&w->line, '"');
}

static void
row(struct out *w, const char *const *v, size_t n, int always, const char *eol)
{
	size_t i;

	crm_buf_reset(&w->line);
	crm_buf_adds(&w->line, "");
	for (i = 0; i < n; i++)
		field(w, i == 0, v[i], always);
	crm_buf_adds(&w->line, eol);
	emit_line(w);
}

/* 𠮷 has no CP932 code: a CP932 export shows 吉, as the shop system would. */
static void
cp932_safe(struct out *w, char *s)
{
	char *p;

	if (strcmp(w->encoding, "cp932") != 0)
		return;
	while ((p = strstr(s, "𠮷")) != NULL) {
		memcpy(p, "吉", 3);
		memmove(p + 3, p + 4, strlen(p + 4) + 1);
	}
}

static const char *const generic_cols[] = {
	"shop", "order_id", "ordered_at", "shipped_at", "status", "email", "name",
	"kana", "phone", "postcode", "prefecture", "address", "birthday",
	"member_id", "total", "sku", "product", "quantity", "unit_price", "coupon",
	"subscription", "newsletter", "notices",
};
#define NGENERIC (sizeof generic_cols / sizeof generic_cols[0])

static void
write_generic(struct out *w, const struct person *p, const struct order *o,
    struct rng *r)
{
	const char *v[NGENERIC];
	struct buyer b;
	char at[32], shipped[32], total[32], qty[8], price[32], member[16];
	char mail[128], addr[400];
	static const char *const statusw[3][2] = { { "ok", "発送済" },
	    { "cancelled", "キャンセル" }, { "returned", "返品" } };
	int i, alt = rnd(r, 10) == 0;

	spell(p, o->k, o->ch, r, &b);
	cp932_safe(w, b.name);
	memset(v, 0, sizeof v);
	v[0] = chname[o->ch];
	v[1] = o->id;
	ts(o->day, o->sec, alt ? "%Y/%m/%d %H:%M" : "%Y-%m-%d %H:%M:%S", at, sizeof at);
	v[2] = at;
	if (o->status != 1) {
		ts(o->ship_day, 36000, "%Y-%m-%d", shipped, sizeof shipped);
		v[3] = shipped;
	}
	v[4] = statusw[o->status][alt];
	if (o->ch == CH_SHOPIFY)
		v[5] = b.email;
	else if (o->ch == CH_RAKUTEN) {
		snprintf(mail, sizeof mail, "%016llx@pc.fw.rakuten.ne.jp",
		    (unsigned long long)rng_next(r));
		v[5] = mail;
	} else {
		snprintf(mail, sizeof mail, "%s@marketplace.amazon.co.jp", p->relay);
		v[5] = mail;
	}
	v[6] = b.name;
	if (o->ch == CH_RAKUTEN || (o->ch == CH_SHOPIFY && p->member))
		v[7] = b.kana;
	if (o->ch != CH_AMAZON)
		v[8] = b.phone;
	v[9] = b.postcode;
	/* Some exports put the prefecture into the address. */
	if (rnd(r, 5) == 0) {
		snprintf(addr, sizeof addr, "%s%s", b.pref, b.address);
		v[11] = addr;
	} else {
		v[10] = b.pref;
		v[11] = b.address;
	}
	if (o->ch == CH_SHOPIFY && p->member) {
		v[12] = p->birthday;
		snprintf(member, sizeof member, "C%07u", p->idx + 1);
		v[13] = member;
	}
	snprintf(total, sizeof total, alt ? "¥%d" : "%d", o->total);
	if (alt && o->total >= 1000)
		snprintf(total, sizeof total, "¥%d,%03d", o->total / 1000, o->total % 1000);
	v[14] = total;
	v[19] = o->coupon;
	v[20] = p->subscriber ? "1" : "0";
	if (o->ch == CH_SHOPIFY) {
		v[21] = p->newsletter ? "yes" : "no";
		v[22] = "yes";
	} else if (o->ch == CH_RAKUTEN) {
		v[21] = p->newsletter ? "受け取る" : "受け取らない";
	}
	for (i = 0; i < o->nlines; i++) {
		const struct product *pr = &products[o->line[i].product];

		v[15] = pr->sku;
		v[16] = pr->name;
		snprintf(qty, sizeof qty, "%d", o->line[i].qty);
		v[17] = qty;
		snprintf(price, sizeof price, "%d", pr->price);
		v[18] = price;
		row(w, v, NGENERIC, 0, "\n");
	}
}

static const char *const shopify_cols[] = {
	"Name", "Email", "Financial Status", "Paid at", "Fulfillment Status",
	"Fulfilled at", "Accepts Marketing", "Currency", "Subtotal", "Shipping",
	"Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
	"Created at", "Lineitem quantity", "Lineitem name", "Lineitem price",
	"Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
	"Lineitem taxable", "Lineitem fulfillment status", "Billing Name",
	"Billing Street", "Billing Address1", "Billing Address2", "Billing Company",
	"Billing City", "Billing Zip", "Billing Province", "Billing Country",
	"Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1",
	"Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
	"Shipping Province", "Shipping Country", "Shipping Phone", "Notes",
	"Note Attributes", "Cancelled at", "Payment Method", "Payment Reference",
	"Refunded Amount", "Vendor", "Outstanding Balance", "Employee", "Location",
	"Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount",
	"Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name",
	"Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value",
	"Phone", "Receipt Number", "Duties", "Billing Province Name",
	"Shipping Province Name", "Payment ID", "Payment Terms Name",
	"Next Payment Due At", "Payment References",
};
#define NSHOPIFY (sizeof shopify_cols / sizeof shopify_cols[0])

static void
write_shopify(struct out *w, const struct person *p, const struct order *o,
    struct rng *r)
{
	const char *v[NSHOPIFY];
	struct buyer b;
	char at[40], paid[40], ful[40], sub[24], ship[24], tax[24], total[24];
	char disc[24], qty[8], price[24], zip[80], phone[72], prov[16], id[24];
	char refunded[24];
	int i;

	spell(p, o->k, o->ch, r, &b);
	cp932_safe(w, b.name);
	ts(o->day, o->sec, "%Y-%m-%d %H:%M:%S +0900", at, sizeof at);
	ts(o->day, o->sec + 60, "%Y-%m-%d %H:%M:%S +0900", paid, sizeof paid);
	ts(o->ship_day, 36000, "%Y-%m-%d %H:%M:%S +0900", ful, sizeof ful);
	snprintf(sub, sizeof sub, "%d.00", o->subtotal);
	snprintf(ship, sizeof ship, "%d.00", o->shipping);
	snprintf(tax, sizeof tax, "%d.00", o->total * 10 / 110);
	snprintf(total, sizeof total, "%d.00", o->total);
	snprintf(disc, sizeof disc, "%d.00", o->discount);
	snprintf(refunded, sizeof refunded, "%d.00", o->status ? o->total : 0);
	/* Newer exports mark numeric-looking values with an apostrophe. */
	snprintf(zip, sizeof zip, "%s%s", strspn(b.postcode, "0123456789") ==
	    strlen(b.postcode) ? "'" : "", b.postcode);
	snprintf(phone, sizeof phone, "%s%s", b.phone[0] == '+' ? "'" : "", b.phone);
	snprintf(prov, sizeof prov, "JP-%02d", b.pref_index + 1);
	snprintf(id, sizeof id, "%llu", (unsigned long long)(5200000000000ULL + o->seq * 7));
	for (i = 0; i < o->nlines; i++) {
		const struct product *pr = &products[o->line[i].product];

		memset(v, 0, sizeof v);
		v[0] = o->id;
		v[1] = b.email;
		v[15] = at;
		snprintf(qty, sizeof qty, "%d", o->line[i].qty);
		v[16] = qty;
		v[17] = pr->name;
		snprintf(price, sizeof price, "%d.00", pr->price);
		v[18] = price;
		v[20] = pr->sku;
		v[21] = "true";
		v[22] = "true";
		v[23] = o->status == 1 ? "pending" : "fulfilled";
		v[50] = "自社";
		v[59] = "0.00";
		if (i == 0) {
			v[2] = o->status == 1 ? "voided" : o->status ? "refunded" : "paid";
			v[3] = paid;
			v[4] = o->status == 1 ? "unfulfilled" : "fulfilled";
			v[5] = o->status == 1 ? NULL : ful;
			v[6] = p->newsletter ? "yes" : "no";
			v[7] = "JPY";
			v[8] = sub;
			v[9] = ship;
			v[10] = tax;
			v[11] = total;
			v[12] = o->coupon;
			v[13] = o->coupon ? disc : "0.00";
			v[14] = "ヤマト運輸";
			v[24] = b.name;
			v[25] = b.street;
			v[26] = b.street;
			v[27] = b.building;
			v[29] = b.city;
			v[30] = zip;
			v[31] = prov;
			v[32] = "JP";
			v[33] = rnd(r, 10) ? phone : NULL;
			v[34] = b.name;
			v[35] = b.street;
			v[36] = b.street;
			v[37] = b.building;
			v[39] = b.city;
			v[40] = zip;
			v[41] = prov;
			v[42] = "JP";
			v[43] = v[33];
			v[46] = o->status == 1 ? paid : NULL;
			v[47] = "Shopify Payments";
			v[49] = refunded;
			v[51] = "0.00";
			v[55] = id;
			v[57] = "Low";
			v[58] = "web";
			v[60] = "消費税";
			v[61] = tax;
			v[70] = rnd(r, 10) < 6 ? phone : NULL;
			v[73] = b.pref;
			v[74] = b.pref;
		}
		row(w, v, NSHOPIFY, 0, "\n");
	}
}

static const char *const rakuten_cols[] = {
	"注文番号", "ステータス", "サブステータスID", "サブステータス", "注文日時",
	"注文日", "注文時間", "キャンセル期限日", "注文確認日時", "注文確定日時",
	"発送指示日時", "発送完了報告日時", "支払方法名", "クレジットカード支払い方法",
	"クレジットカード支払い回数", "配送方法", "配送区分", "注文種別",
	"複数送付先フラグ", "送付先一致フラグ", "離島フラグ", "楽天確認中フラグ",
	"警告表示タイプ", "楽天会員フラグ", "購入履歴修正有無フラグ", "商品合計金額",
	"消費税合計", "送料合計", "代引料合計", "請求金額", "合計金額", "ポイント利用額",
	"クーポン利用総額", "店舗発行クーポン利用額", "楽天発行クーポン利用額",
	"注文者郵便番号1", "注文者郵便番号2", "注文者住所都道府県", "注文者住所郡市区",
	"注文者住所それ以降の住所", "注文者姓", "注文者名", "注文者姓カナ", "注文者名カナ",
	"注文者電話番号1", "注文者電話番号2", "注文者電話番号3", "注文者メールアドレス",
	"注文者性別", "申込番号", "申込お届け回数", "送付先ID", "送付先送料",
	"送付先代引料", "送付先消費税合計", "送付先商品合計金額", "送付先合計金額", "のし",
	"送付先郵便番号1", "送付先郵便番号2", "送付先住所都道府県", "送付先住所郡市区",
	"送付先住所それ以降の住所", "送付先姓", "送付先名", "送付先姓カナ", "送付先名カナ",
	"送付先電話番号1", "送付先電話番号2", "送付先電話番号3", "商品明細ID", "商品ID",
	"商品名", "商品番号", "商品管理番号", "単価", "個数", "送料込別", "税込別",
	"代引手数料込別", "項目・選択肢", "ポイント倍率", "納期情報", "在庫タイプ",
	"ラッピングタイトル1", "ラッピング名1", "ラッピング料金1", "ラッピング税込別1",
	"ラッピング種類1", "ラッピングタイトル2", "ラッピング名2", "ラッピング料金2",
	"ラッピング税込別2", "ラッピング種類2", "お届け時間帯", "お届け日指定", "担当者",
	"ひとことメモ", "メール差込文 (お客様へのメッセージ)", "ギフト配送希望", "コメント",
	"利用端末", "メールキャリアコード", "あす楽希望フラグ", "医薬品受注フラグ",
	"楽天スーパーDEAL商品受注フラグ", "メンバーシッププログラム受注タイプ",
};
#define NRAKUTEN (sizeof rakuten_cols / sizeof rakuten_cols[0])

static void
write_rakuten(struct out *w, const struct person *p, const struct order *o,
    struct rng *r)
{
	const char *v[NRAKUTEN];
	struct buyer b;
	char at[32], day[16], tim[16], sub[16], tax[16], ship[16], total[16];
	char coupon[16], mail[64], rest[320], lid[24], qty[8], price[16], item[16];
	int i;

	spell(p, o->k, o->ch, r, &b);
	cp932_safe(w, b.name);
	cp932_safe(w, b.sei);
	cp932_safe(w, b.mei);
	ts(o->day, o->sec, "%Y-%m-%d %H:%M:%S", at, sizeof at);
	ts(o->day, o->sec, "%Y-%m-%d", day, sizeof day);
	ts(o->day, o->sec, "%H:%M:%S", tim, sizeof tim);
	snprintf(sub, sizeof sub, "%d", o->subtotal);
	snprintf(tax, sizeof tax, "%d", o->total * 10 / 110);
	snprintf(ship, sizeof ship, "%d", o->shipping);
	snprintf(total, sizeof total, "%d", o->total);
	snprintf(coupon, sizeof coupon, "%d", o->discount);
	/* Rakuten masks the address, with a new relay per order. */
	snprintf(mail, sizeof mail, "%016llx@pc.fw.rakuten.ne.jp",
	    (unsigned long long)rng_next(r));
	snprintf(rest, sizeof rest, "%s%s%s", b.street, b.building[0] ? " " : "",
	    b.building);
	for (i = 0; i < o->nlines; i++) {
		const struct product *pr = &products[o->line[i].product];

		memset(v, 0, sizeof v);
		v[0] = o->id;
		v[1] = o->status == 1 ? "900" : "500";
		v[4] = at;
		v[5] = day;
		v[6] = tim;
		v[12] = "クレジットカード";
		v[15] = "宅配便";
		v[17] = p->subscriber ? "定期購入" : "通常購入";
		v[18] = "0";
		v[19] = "1";
		v[20] = "0";
		v[21] = "0";
		v[23] = "1";
		v[24] = "0";
		v[25] = sub;
		v[26] = tax;
		v[27] = ship;
		v[28] = "0";
		v[29] = total;
		v[30] = total;
		v[31] = "0";
		v[32] = coupon;
		v[33] = coupon;
		v[34] = "0";
		v[35] = b.zip1;
		v[36] = b.zip2;
		v[37] = b.pref;
		v[38] = b.city;
		v[39] = rest;
		v[40] = b.sei;
		v[41] = b.mei;
		v[42] = b.sei_kana;
		v[43] = b.mei_kana;
		v[44] = b.ph[0];
		v[45] = b.ph[1];
		v[46] = b.ph[2];
		v[47] = mail;
		v[48] = givens[p->giv].female ? "女" : "男";
		v[51] = "1";
		v[52] = ship;
		v[53] = "0";
		v[54] = tax;
		v[55] = sub;
		v[56] = total;
		v[58] = b.zip1;
		v[59] = b.zip2;
		v[60] = b.pref;
		v[61] = b.city;
		v[62] = rest;
		v[63] = b.sei;
		v[64] = b.mei;
		v[65] = b.sei_kana;
		v[66] = b.mei_kana;
		v[67] = b.ph[0];
		v[68] = b.ph[1];
		v[69] = b.ph[2];
		snprintf(lid, sizeof lid, "%llu", (unsigned long long)(o->seq * 3 + (unsigned)i + 1));
		v[70] = lid;
		snprintf(item, sizeof item, "%d", 10000000 + o->line[i].product);
		v[71] = item;
		v[72] = pr->name;
		v[73] = pr->sku;
		v[74] = pr->sku;
		snprintf(price, sizeof price, "%d", pr->price);
		v[75] = price;
		snprintf(qty, sizeof qty, "%d", o->line[i].qty);
		v[76] = qty;
		v[77] = "0";
		v[78] = "1";
		v[79] = "0";
		v[81] = "1";
		v[101] = "PC";
		v[103] = "0";
		v[104] = "0";
		v[105] = "0";
		row(w, v, NRAKUTEN, 1, "\r\n");
	}
}

static const char *const amazon_cols[] = {
	"order-id", "order-item-id", "purchase-date", "payments-date", "buyer-email",
	"buyer-name", "buyer-phone-number", "sku", "product-name",
	"quantity-purchased", "currency", "item-price", "item-tax", "shipping-price",
	"shipping-tax", "gift-wrap-price", "gift-wrap-tax", "ship-service-level",
	"recipient-name", "ship-address-1", "ship-address-2", "ship-address-3",
	"ship-city", "ship-state", "ship-postal-code", "ship-country",
	"ship-phone-number", "gift-wrap-type", "gift-message-text",
	"item-promotion-discount", "item-promotion-id", "ship-promotion-discount",
	"ship-promotion-id", "delivery-start-date", "delivery-end-date",
	"delivery-time-zone", "delivery-Instructions", "is-prime",
};
#define NAMAZON (sizeof amazon_cols / sizeof amazon_cols[0])

static void
write_amazon(struct out *w, const struct person *p, const struct order *o,
    struct rng *r)
{
	const char *v[NAMAZON];
	struct buyer b;
	char at[40], mail[64], iid[24], qty[8], price[16], ship[16], disc[16];
	char zip[16];
	int i, with_phone = rnd(r, 10) < 6;

	spell(p, o->k, o->ch, r, &b);
	cp932_safe(w, b.name);
	ts(o->day, o->sec, "%Y-%m-%dT%H:%M:%S+09:00", at, sizeof at);
	snprintf(mail, sizeof mail, "%s@marketplace.amazon.co.jp", p->relay);
	snprintf(zip, sizeof zip, "%s-%s", b.zip1, b.zip2);
	for (i = 0; i < o->nlines; i++) {
		const struct product *pr = &products[o->line[i].product];

		memset(v, 0, sizeof v);
		v[0] = o->id;
		snprintf(iid, sizeof iid, "%014llu",
		    (unsigned long long)((o->seq * 3 + (unsigned)i) * 7919ULL + 10000000000000ULL));
		v[1] = iid;
		v[2] = at;
		v[3] = at;
		v[4] = mail;
		v[5] = b.name;
		v[7] = pr->sku;
		v[8] = pr->name;
		snprintf(qty, sizeof qty, "%d", o->line[i].qty);
		v[9] = qty;
		v[10] = "JPY";
		snprintf(price, sizeof price, "%d", pr->price * o->line[i].qty);
		v[11] = price;
		v[12] = "0";
		snprintf(ship, sizeof ship, "%d", i == 0 ? o->shipping : 0);
		v[13] = ship;
		v[14] = "0";
		v[15] = "0";
		v[16] = "0";
		v[17] = "Standard";
		v[18] = b.name;
		v[19] = b.street;
		v[20] = b.building;
		v[22] = b.city;
		v[23] = b.pref;
		v[24] = zip;
		v[25] = "JP";
		v[26] = with_phone ? b.phone : NULL;
		snprintf(disc, sizeof disc, "%d", i == 0 ? -o->discount : 0);
		v[29] = disc;
		v[30] = i == 0 ? o->coupon : NULL;
		v[31] = "0";
		v[37] = p->idx % 3 == 0 ? "true" : "false";
		row(w, v, NAMAZON, 0, "\n");
	}
}

static const char *const member_cols[] = {
	"member_id", "email", "name", "kana", "phone", "postcode", "prefecture",
	"address", "birthday", "registered_at", "newsletter", "notices", "withdrawn",
};
#define NMEMBERS (sizeof member_cols / sizeof member_cols[0])

/*
 * The own shop's member list (crm-import --customers): everyone who is a
 * member and has bought there, as the shop knows them today (the latest
 * address, phone and e-mail).  Returns 1 when p is a member.
 */
static int
write_member(struct out *w, const struct gen *g, const struct person *p,
    char *id, size_t idsize)
{
	const char *v[NMEMBERS];
	struct buyer b;
	struct rng r;
	char reg[32];
	int k, first = -1;

	for (k = 0; k < p->norders && first < 0; k++)
		if (p->ch[k] == CH_SHOPIFY)
			first = k;
	if (!p->member || first < 0)
		return 0;
	rng_seed(&r, g->seed, p->idx, 9000);
	spell(p, p->norders - 1, CH_SHOPIFY, &r, &b);
	cp932_safe(w, b.name);
	snprintf(id, idsize, "C%07u", p->idx + 1);
	ts(p->day[first] - (int32_t)rnd(&r, 60), time_of_day(&r),
	    "%Y-%m-%d %H:%M:%S", reg, sizeof reg);
	memset(v, 0, sizeof v);
	v[0] = id;
	v[1] = b.email;
	v[2] = b.name;
	v[3] = b.kana;
	v[4] = b.phone;
	v[5] = b.postcode;
	v[6] = b.pref;
	v[7] = b.address;
	v[8] = p->birthday;
	v[9] = reg;
	v[10] = p->newsletter ? "yes" : "no";
	v[11] = "yes";
	v[12] = chance(&r, PCT(2)) ? "1" : "0";
	row(w, v, NMEMBERS, 0, "\n");
	return 1;
}

/* ---- main */

struct slot {
	int32_t day, sec;
	uint32_t person;
	uint8_t k, ch;
};

static int
slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->person != y->person)
		return x->person < y->person ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: crm-gen [--seed N] [--customers N] "
	    "[--format generic|shopify|rakuten|amazon|members]\n"
	    "               [--encoding utf-8|cp932] [--end YYYY-MM-DD] [--days N]\n"
	    "               [--out FILE] [--truth FILE]\n");
}

static int32_t
day_number(const char *s, struct crm_err *err)
{
	struct tm tm;
	int y, m, d;
	char extra;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > 31) {
		crm_err_set(err, EX_USAGE, "--end: '%s' is not a date (expected YYYY-MM-DD)", s);
		return -1;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int32_t)(timegm(&tm) / 86400);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 'S' },
		{ "customers", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "end", required_argument, NULL, 'E' },
		{ "days", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g;
	struct out w;
	struct crm_err err;
	struct person p;
	struct order o;
	struct slot *slots = NULL;
	size_t nslots = 0, cap = 0, s;
	uint64_t seq[NCH] = { 0, 0, 0 };
	long long v;
	const char *outpath = NULL, *truthpath = NULL, *fmt = "generic";
	const char *enc = NULL, *end = "2026-11-21";
	long long days = 730;
	uint32_t i;
	int c, k, want_ch = -1;
	uint32_t cached = UINT32_MAX;

	memset(&g, 0, sizeof g);
	g.seed = 1;
	g.customers = 1000;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (crm_strtonum(optarg, 0, INT64_MAX, &v, "--seed", &err) < 0)
				goto usage_err;
			g.seed = (uint64_t)v;
			break;
		case 'n':
			if (crm_strtonum(optarg, 1, 50000000, &v, "--customers", &err) < 0)
				goto usage_err;
			g.customers = (uint32_t)v;
			break;
		case 'd':
			if (crm_strtonum(optarg, 1, 36500, &days, "--days", &err) < 0)
				goto usage_err;
			break;
		case 'f': fmt = optarg; break;
		case 'e': enc = optarg; break;
		case 'E': end = optarg; break;
		case 'o': outpath = optarg; break;
		case 't': truthpath = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "crm-gen: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	memset(&w, 0, sizeof w);
	if (strcmp(fmt, "generic") == 0)
		w.fmt = FMT_GENERIC;
	else if (strcmp(fmt, "shopify") == 0)
		w.fmt = FMT_SHOPIFY, want_ch = CH_SHOPIFY;
	else if (strcmp(fmt, "rakuten") == 0)
		w.fmt = FMT_RAKUTEN, want_ch = CH_RAKUTEN;
	else if (strcmp(fmt, "amazon") == 0)
		w.fmt = FMT_AMAZON, want_ch = CH_AMAZON;
	else if (strcmp(fmt, "members") == 0)
		w.fmt = FMT_MEMBERS;
	else {
		fprintf(stderr, "crm-gen: --format: unknown format '%s' "
		    "(generic, shopify, rakuten, amazon, members)\n", fmt);
		return EX_USAGE;
	}
	w.encoding = w.fmt == FMT_RAKUTEN ? "cp932" : "utf-8";
	if (enc != NULL) {
		w.encoding = crm_enc_name(enc);
		if (w.encoding == NULL || strcmp(w.encoding, "auto") == 0 ||
		    strcmp(w.encoding, "euc-jp") == 0) {
			fprintf(stderr, "crm-gen: --encoding: '%s' (utf-8 or cp932)\n", enc);
			return EX_USAGE;
		}
	}
	if ((g.last_day = day_number(end, &err)) < 0)
		goto usage_err;
	g.first_day = g.last_day - (int32_t)days + 1;
	for (k = 0; k < 47; k++)
		pref_w[k] = prefs[k].pop;

	/* Pass 1: when does everyone order?  (A member list needs no dates.) */
	for (i = 0; i < g.customers && w.fmt != FMT_MEMBERS; i++) {
		gen_person(&g, i, &p);
		for (k = 0; k < p.norders; k++) {
			if (nslots == cap) {
				cap = cap ? cap * 2 : 4096;
				slots = crm_xreallocarray(slots, cap, sizeof *slots);
			}
			slots[nslots].day = p.day[k];
			slots[nslots].sec = p.sec[k];
			slots[nslots].person = i;
			slots[nslots].k = (uint8_t)k;
			slots[nslots].ch = p.ch[k];
			nslots++;
		}
	}
	if (nslots > 1)
		qsort(slots, nslots, sizeof *slots, slot_cmp);

	w.fp = stdout;
	if (outpath && (w.fp = fopen(outpath, "wb")) == NULL) {
		fprintf(stderr, "crm-gen: %s: %s\n", outpath, strerror(errno));
		free(slots);
		return EX_CANTCREAT;
	}
	if (truthpath && (w.truth = fopen(truthpath, "w")) == NULL) {
		fprintf(stderr, "crm-gen: %s: %s\n", truthpath, strerror(errno));
		free(slots);
		return EX_CANTCREAT;
	}
	crm_buf_init(&w.line);
	crm_buf_init(&w.conv);
	switch (w.fmt) {
	case FMT_GENERIC: row(&w, generic_cols, NGENERIC, 0, "\n"); break;
	case FMT_SHOPIFY: row(&w, shopify_cols, NSHOPIFY, 0, "\n"); break;
	case FMT_RAKUTEN: row(&w, rakuten_cols, NRAKUTEN, 1, "\r\n"); break;
	case FMT_AMAZON: row(&w, amazon_cols, NAMAZON, 0, "\n"); break;
	default: row(&w, member_cols, NMEMBERS, 0, "\n"); break;
	}
	if (w.truth)
		fputs(w.fmt == FMT_MEMBERS ? "member_id,person_id\n" :
		    "shop,order_id,person_id\n", w.truth);
	for (i = 0; i < g.customers && w.fmt == FMT_MEMBERS && !w.failed; i++) {
		char id[16];

		gen_person(&g, i, &p);
		if (write_member(&w, &g, &p, id, sizeof id) && w.truth)
			fprintf(w.truth, "%s,P%07u\n", id, i + 1);
	}

	/* Pass 2: every order, in date order, numbered per channel. */
	for (s = 0; s < nslots && !w.failed; s++) {
		struct rng r;

		memset(&o, 0, sizeof o);
		o.person = slots[s].person;
		o.k = slots[s].k;
		o.ch = slots[s].ch;
		o.day = slots[s].day;
		o.sec = slots[s].sec;
		o.seq = seq[o.ch]++;
		if (want_ch >= 0 && o.ch != want_ch)
			continue;
		if (cached != o.person) {
			gen_person(&g, o.person, &p);
			cached = o.person;
		}
		gen_order(&g, &p, &o);
		/* The Amazon order report lists only orders that stand. */
		if (w.fmt == FMT_AMAZON && o.status == 1)
			continue;
		order_id(&o);
		rng_seed(&r, g.seed, o.person, 5000 + (uint64_t)o.k);
		switch (w.fmt) {
		case FMT_GENERIC: write_generic(&w, &p, &o, &r); break;
		case FMT_SHOPIFY: write_shopify(&w, &p, &o, &r); break;
		case FMT_RAKUTEN: write_rakuten(&w, &p, &o, &r); break;
		default: write_amazon(&w, &p, &o, &r); break;
		}
		if (w.truth)
			fprintf(w.truth, "%s,%s,P%07u\n", chname[o.ch], o.id, o.person + 1);
	}
	free(slots);
	crm_buf_release(&w.line);
	crm_buf_release(&w.conv);
	if (w.failed) {
		fprintf(stderr, "crm-gen: %s\n", w.err.msg);
		return EX_DATAERR;
	}
	if (w.truth && (ferror(w.truth) | fclose(w.truth))) {
		fprintf(stderr, "crm-gen: %s: write error\n", truthpath);
		return EX_IOERR;
	}
	if (outpath ? (ferror(w.fp) | fclose(w.fp)) : crm_close_stdout(&err) < 0) {
		fprintf(stderr, "crm-gen: %s: write error\n", outpath ? outpath : "stdout");
		return EX_IOERR;
	}
	return 0;
usage_err:
	fprintf(stderr, "crm-gen: %s\n", err.msg);
	usage(stderr);
	return EX_USAGE;
}
