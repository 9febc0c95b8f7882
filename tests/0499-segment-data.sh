# 0499-segment-data.sh: the customers the crm-segment tests (04xx) query.
# Sourced after lib.sh.  Imports a generic order CSV and a member list
# with crm-import; tags, caution and undetermined are set with SQL (their
# own tools are tested elsewhere).  Today is 2026-06-30.
#
#     orders total first      last       registered member pref  nl nt wd shops         coupon  subscr tags
#  a  3      25000 2026-01-10 2026-06-01 2025-06-01 yes    東京都 1  1  0  web,rakuten   WELCOME        vip
#  b  1       3000 2026-03-05 2026-03-05 2026-03-05 no     神奈川 0  0  0  rakuten               yes    o'reilly
#  c  0          0 -          -          2026-03-06 no     大阪府 1  0  0  (cancelled)
#  d  2      50000 2025-11-15 2025-12-20 2025-11-15 no     東京都 1  0  0  web           XMAS           vip,gift
#  e  1       1500 2026-06-29 2026-06-29 2026-06-29 no     北海道 0  0  0  amazon
#  g  1       4000 2026-05-10 2026-05-10 2025-01-01 yes    東京都 0  0  1  web
#  f  0          0 -          -          2026-04-01 yes    福岡県 1  0  0
#  caution: e; undetermined: b, c

export CRM_TODAY=2026-06-30
cat >"$T/orders.csv" <<'CSV'
order_id,ordered_at,status,shop,email,name,kana,phone,prefecture,address,total,sku,product,quantity,unit_price,coupon,subscription,newsletter
A1,2026-01-10 10:00,ok,web,a@example.com,山田 太郎,ヤマダ タロウ,090-1111-0001,東京都,千代田区1-1,5000,COF-1,コーヒー豆 ブラジル,1,5000,,0,yes
A2,2026-02-20 23:59,ok,web,a@example.com,山田 太郎,ヤマダ タロウ,090-1111-0001,東京都,千代田区1-1,12000,DRIP-1,ドリップバッグ,2,6000,WELCOME,0,yes
A3,2026-06-01 09:00,ok,rakuten,a@example.com,山田 太郎,ヤマダ タロウ,090-1111-0001,東京都,千代田区1-1,8000,COF-2,コーヒー豆 エチオピア,1,8000,,0,yes
B1,2026-03-05 12:00,ok,rakuten,b@example.com,佐藤 花子,サトウ ハナコ,080-2222-0002,神奈川県,横浜市西区2-2,3000,COF-1,コーヒー豆 ブラジル,1,3000,,1,no
C1,2026-03-06 12:00,cancelled,web,c@example.com,鈴木 次郎,スズキ ジロウ,070-3333-0003,大阪府,大阪市北区3-3,8000,TEA-1,紅茶 ダージリン,1,8000,,0,yes
D1,2025-11-15 08:00,ok,web,d@example.com,田中 美咲,タナカ ミサキ,090-4444-0004,東京都,世田谷区4-4,20000,GIFT-1,ギフトセット,1,20000,,0,yes
D2,2025-12-20 08:00,ok,web,d@example.com,田中 美咲,タナカ ミサキ,090-4444-0004,東京都,世田谷区4-4,30000,GIFT-1,ギフトセット,1,30000,XMAS,0,yes
E1,2026-06-29 18:00,ok,amazon,e@example.com,高橋 健,タカハシ ケン,011-555-0005,北海道,札幌市5-5,1500,COF-1,コーヒー豆 ブラジル,1,1500,,0,no
G1,2026-05-10 15:00,ok,web,g@example.com,渡辺 勇,ワタナベ イサム,03-6666-0007,東京都,港区7-7,4000,TEA-1,紅茶 ダージリン,1,4000,,0,no
CSV
cat >"$T/members.csv" <<'CSV'
member_id,email,name,kana,phone,prefecture,address,registered_at,newsletter,notices,withdrawn
M1,a@example.com,山田 太郎,ヤマダ タロウ,090-1111-0001,東京都,千代田区1-1,2025-06-01,yes,yes,0
M6,f@example.com,伊藤 さくら,イトウ サクラ,092-777-0006,福岡県,福岡市6-6,2026-04-01,yes,no,0
M7,g@example.com,渡辺 勇,ワタナベ イサム,03-6666-0007,東京都,港区7-7,2025-01-01,no,no,1
CSV
crm-import -q -s web "$T/orders.csv" >/dev/null 2>&1 &&
crm-import -q -s web --customers "$T/members.csv" >/dev/null 2>&1 ||
	{ echo "Bail out! crm-import of the segment test data failed"; exit 1; }
sql "INSERT INTO tags (customer_id, tag, created_at)
       SELECT id, 'vip', '2026-06-01 00:00:00' FROM customers WHERE email IN ('a@example.com', 'd@example.com');
     INSERT INTO tags (customer_id, tag, created_at)
       SELECT id, 'gift', '2026-06-01 00:00:00' FROM customers WHERE email = 'd@example.com';
     INSERT INTO tags (customer_id, tag, created_at)
       SELECT id, 'o''reilly', '2026-06-01 00:00:00' FROM customers WHERE email = 'b@example.com';
     UPDATE customers SET caution = 1 WHERE email = 'e@example.com';
     UPDATE customers SET undetermined = 1 WHERE email IN ('b@example.com', 'c@example.com');"

# id of a customer by the letter of its e-mail address
cid() { sql "SELECT id FROM customers WHERE email = '$1@example.com'"; }

# seg ARGS...: the matching customers as sorted e-mail letters, "a d"
seg() {
	crm-segment --columns email -o csv "$@" </dev/null 2>/dev/null | sed 1d |
		sed 's/@.*//' | sort | tr '\n' ' ' | sed 's/ $//'
}
