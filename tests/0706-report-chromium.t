#!/bin/sh
# crm-report -o svg in a real browser: headless Chromium lays the chart
# out (every bar has a box, the Japanese title has a width) and paints it
# (the bars' colours reach the canvas, the title leaves ink).  Chromium and
# a Japanese font are installed from Debian's archive when missing and we
# are root; the test is skipped only when that cannot be done.
. "$(dirname "$0")/lib.sh"

browser() { command -v chromium || command -v chromium-browser; } 2>/dev/null
if [ -z "$(browser)" ] || ! fc-list :lang=ja 2>/dev/null | grep -q .; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		pkgs="chromium fonts-ipaexfont-gothic"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends $pkgs >"$T/apt.log" 2>&1 ||
		{ apt-get update -q >>"$T/apt.log" 2>&1 &&
		  apt-get install -y -q --no-install-recommends $pkgs >>"$T/apt.log" 2>&1; }
	fi
fi
if [ -z "$(browser)" ]; then
	why="not root or no apt-get"
	[ -s "$T/apt.log" ] && why="apt-get failed: $(tail -n 1 "$T/apt.log")"
	echo "1..0 # SKIP chromium is not installed and cannot be installed ($why)"
	exit 0
fi
CHROMIUM=$(browser)

. "$TESTS/0709-report-setup.sh"
merge_g
crm-report repeat --by month -o svg >"$T/month.svg" || { echo "Bail out! svg"; exit 1; }

# The page holds the chart twice: inline, to ask the layout about it, and
# as an image drawn on a canvas, to count painted pixels.
{
	printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>\n<div id="inline">'
	sed 1d "$T/month.svg"
	printf '</div>\n<img id="img" width="800" height="450" src="data:image/svg+xml;base64,'
	base64 -w0 "$T/month.svg"
	cat <<'HTML'
">
<pre id="result">pending</pre>
<script>
window.addEventListener('load', function () {
  var out = [], laid = 0, bars = document.querySelectorAll('#inline rect.bar');
  bars.forEach(function (b) { if (b.getBBox().width > 0) laid++; });
  out.push('bars=' + bars.length + ' laid=' + laid);
  var t = document.querySelector('#inline text.chart-title');
  out.push('title=' + (t.getComputedTextLength() > 100));
  var c = document.createElement('canvas'); c.width = 800; c.height = 450;
  var g = c.getContext('2d');
  g.drawImage(document.getElementById('img'), 0, 0);
  try {
    var d = g.getImageData(0, 0, 800, 450).data, blue = 0, orange = 0, ink = 0;
    for (var i = 0; i < d.length; i += 4) {
      if (d[i] === 0 && d[i+1] === 114 && d[i+2] === 178) blue++;
      if (d[i] === 230 && d[i+1] === 159 && d[i+2] === 0) orange++;
      if (i / 4 < 800 * 36 && d[i] < 100 && d[i+1] < 100 && d[i+2] < 100) ink++;
    }
    out.push('blue=' + (blue > 1000) + ' orange=' + (orange > 1000) + ' ink=' + (ink > 100));
  } catch (e) { out.push('canvas=' + e.name); }
  document.getElementById('result').textContent = out.join(' ');
});
</script></body></html>
HTML
} >"$T/page.html"

run() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	--user-data-dir="$T/profile" "$@" 2>>"$T/chromium.log"; }
run --virtual-time-budget=5000 --dump-dom "file://$T/page.html" >"$T/dom.html"
is "$?" 0 "chromium loads the page"
res=$(sed -n 's/.*<pre id="result">\([^<]*\)<.*/\1/p' "$T/dom.html")
# Six months x two series (0700): twelve bars, each laid out.
is "$res" "bars=12 laid=12 title=true blue=true orange=true ink=true" \
	"chromium lays out every bar and the Japanese title, and paints them"

run --screenshot="$T/shot.png" --window-size=800,450 "file://$T/month.svg" >/dev/null
is "$(head -c 8 "$T/shot.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n' \
	"a screenshot of the SVG file is a PNG"
if fc-list :lang=ja 2>/dev/null | grep -q .; then
	like "$(fc-match 'IPAexGothic' 2>/dev/null) $(fc-match 'Noto Sans CJK JP' 2>/dev/null)" \
		"IPAex|Noto Sans CJK" "a font of the chart's Japanese list is installed"
else
	_result 0 "a Japanese font # SKIP none installed and not root to install one"
fi
done_testing
