#!/bin/sh
# crm-report -o svg: the charts are well-formed XML (Python's parser),
# with the bars and points in the order and with the values of the
# report, escaped text, a CJK font list and everything inside the viewBox.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0709-report-setup.sh"
merge_g

cat >"$T/svg.py" <<'PY'
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
path, what = sys.argv[1], sys.argv[2]
root = ET.parse(path).getroot()
def marks(tag):
    return [(e.get("data-category"), e.get("data-series"), float(e.get("data-value")), e)
            for e in root.iter(NS + tag) if e.get("class") in ("bar", "point")]
if what == "root":
    print(root.tag == NS + "svg", root.get("viewBox"), root.find(NS + "title").text)
    print("Noto Sans CJK JP" in root.get("font-family"), "IPAexGothic" in root.get("font-family"),
          root.get("font-family").rstrip().endswith("sans-serif"))
elif what == "bars":
    for c, s, v, e in marks("rect"):
        print("%s|%s|%g" % (c, s, v))
elif what == "points":
    for c, s, v, e in marks("circle"):
        print("%s|%s|%g" % (c, s, v))
elif what == "lines":
    print(len([e for e in root.iter(NS + "path") if e.get("class") == "line"]))
elif what == "inside":
    bad = []
    for c, s, v, e in marks("rect"):
        y, h, x, w = (float(e.get(k)) for k in ("y", "height", "x", "width"))
        if y < 0 or y + h > 450.01 or x < 0 or x + w > 800.01 or h < 0:
            bad.append(c)
    print("ok" if not bad else "outside: %s" % bad)
elif what == "heights":
    # bar heights are proportional to the values
    r = [(v, float(e.get("height"))) for c, s, v, e in marks("rect") if v > 0]
    k = r[0][1] / r[0][0]
    print(all(abs(h - v * k) < 0.2 for v, h in r))
elif what == "texts":
    print("\n".join(t.text or "" for t in root.iter(NS + "text") if t.get("class") in sys.argv[3:]))
PY
svg() { /usr/bin/python3 "$T/svg.py" "$@"; }

crm-report repeat --by month -o svg >"$T/month.svg"
is "$?" 0 "repeat --by month -o svg exits 0"
is "$(svg "$T/month.svg" root)" "True 0 0 800 450 新規・リピート別売上
True True True" "an svg root, fixed viewBox, Japanese title, CJK font list"
# Twelve bars: six months, new then repeat, in month order, with the
# figures of 0700 (new_sales, repeat_sales).
is "$(svg "$T/month.svg" bars | sed 's/|新規顧客の売上 (new)|/|new|/; s/|リピート顧客の売上 (repeat)|/|repeat|/')" \
"2026-01|new|7000
2026-01|repeat|3000
2026-02|new|1500
2026-02|repeat|6000
2026-03|new|3500
2026-03|repeat|3000
2026-04|new|0
2026-04|repeat|2000
2026-05|new|6000
2026-05|repeat|2000
2026-06|new|0
2026-06|repeat|3000" "12 bars in month order, values of the report"
is "$(svg "$T/month.svg" inside)" ok "every bar inside the viewBox"
is "$(svg "$T/month.svg" heights)" True "bar heights proportional to the values"
is "$(svg "$T/month.svg" texts category | tr '\n' ' ')" \
	"2026-01 2026-02 2026-03 2026-04 2026-05 2026-06 " "month labels on the x axis"
like "$(svg "$T/month.svg" texts tick | tr '\n' ' ')" "^¥0 ¥2,000 ¥4,000 ¥6,000 ¥8,000 ¥10,000 " \
	"y ticks: round steps in yen from 0 past the largest stack (10000)"

crm-report rfm -o svg >"$T/rfm.svg"
is "$(svg "$T/rfm.svg" bars | cut -d'|' -f1,3 | tr '\n' ' ')" \
	"champions|1 loyal|2 promising|0 new|1 at-risk|1 about-to-sleep|1 hibernating|2 " \
	"rfm: seven bars in group order with the counts of 0702"

crm-report cohort --months 3 -o svg >"$T/cohort.svg"
is "$(svg "$T/cohort.svg" lines)" 4 "cohort: one line per cohort"
is "$(svg "$T/cohort.svg" points | grep '^m2|' | tr '\n' ' ')" \
	"m2|2026-01|0.3333 m2|2026-02|0.5 m2|2026-03|0.5 m2|2026-05|0 " \
	"cohort: points carry the shares of column m2"
is "$(svg "$T/cohort.svg" points | grep -c '|2026-05|')" 3 \
	"an empty (future) cell is no point"

crm-report interval -o svg >"$T/interval.svg"
is "$(svg "$T/interval.svg" bars | wc -l | tr -d ' ')" 16 "interval: 8 buckets x 2 series"
crm-report campaign nosuch -o svg >"$T/none.svg" 2>/dev/null
is "$?" 65 "a failing report writes no chart (exit 65)"
crm-report cohort --from 2026-07-01 -o svg >"$T/empty.svg" 2>/dev/null
is "$?" 1 "nothing to draw: exit 1"
is "$(wc -c <"$T/empty.svg" | tr -d ' ')" 0 "... and no half document"

# Names from the data are escaped: a shop called A&B <"本店">.
cat >"$T/odd.csv" <<'CSV'
order_id,ordered_at,shop,email,name,total
X1,2026-03-03,"A&B <""本店"">",z@example.com,&amp; <b>,700
CSV
crm-import -q "$T/odd.csv" >/dev/null 2>&1
crm-report repeat --by shop -o svg >"$T/shop.svg"
is "$(svg "$T/shop.svg" bars | cut -d'|' -f1 | uniq | tr '\n' ' ')" \
	'webshop rakuten A&B <"本店"> ' "a shop name with & < > \" parses back intact"
like "$(cat "$T/shop.svg")" 'A&amp;B &lt;&quot;本店&quot;&gt;' "... written escaped"
done_testing
