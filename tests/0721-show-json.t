#!/bin/sh
# crm-show -o json: one object with the documented keys; mails (campaign
# and scenario step, over a real SMTP server) and scenarios with their
# steps; what was recorded for a customer merged in shows under the
# survivor.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0739-show-setup.sh"
cd "$T" || exit 1
export XDG_CONFIG_HOME="$T/config" HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME/crm" "$HOME"
printf 'unsubscribe-url = https://shop.example/unsubscribe\nshop = テスト商店\n' >"$XDG_CONFIG_HOME/crm/crm.conf"
for k in newsletter notices; do
	printf 'Subject: %s\nFrom: テスト商店 <shop@example.com>\nKind: %s\n\n{{name}} 様\n停止: {{unsubscribe_url}}\n' "$k" "$k" >"$k.tmpl"
done
smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"

printf '1\n5\n' | crm-mail send -q -t newsletter.tmpl --campaign autumn --smtp "$SMTP" >/dev/null 2>&1
is "$?" 0 "campaign autumn sent"
export CRM_TODAY=2026-11-25
crm-scenario add -q fan --list --step 0:mail:"$T/notices.tmpl" --step 7:dm --step 14:call >/dev/null 2>&1
echo 1 | crm-scenario enroll -q fan >/dev/null 2>&1
crm-scenario run -q --smtp "$SMTP" >/dev/null 2>&1
is "$?" 0 "scenario run"
unset CRM_TODAY
is "$(ls "$SMTP_DIR"/*.eml | wc -l | tr -d ' ')" 3 "the server got three messages"

crm-show -o json 1 >one.json
is "$?" 0 "-o json: exit 0"
is "$(wc -l <one.json | tr -d ' ')" 1 "one line"
ok "valid JSON" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' one.json
is "$(js one.json 'list(d.keys())')" '["id", "name", "kana", "email", "phone", "postcode", "prefecture", "address", "birthday", "member", "member_id", "registered_at", "order_count", "total", "first_order", "last_order", "newsletter", "notices", "withdrawn", "undeliverable", "caution", "caution_reason", "undetermined", "created_at", "updated_at", "merged_from", "tags", "optouts", "pending_pairs", "merged", "identities", "orders", "mails", "scenarios"]' \
	"the keys, in order" 
ok "no key twice" /usr/bin/python3 -c '
import json, sys
def hook(pairs):
    keys = [k for k, v in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
json.load(open(sys.argv[1]), object_pairs_hook=hook)' one.json
is "$(js one.json '[d["id"], d["name"], d["order_count"], d["total"], d["newsletter"], d["member"], d["birthday"], d["merged_from"], d["tags"]]')" \
	'[1, "山田 太郎", 2, 5500, true, false, null, null, []]' "card values and types"
is "$(js one.json '[(o["order_no"], o["shop"], o["status"], o["total"], o["coupon"], [(i["sku"], i["quantity"], i["unit_price"]) for i in o["items"]]) for o in d["orders"]]')" \
	'[["A-1", "web", "ok", 2500, "WELCOME", [["SKU-1", 2, 1000], ["SKU-2", 1, 500]]], ["R-9", "rakuten", "ok", 3000, null, [["SKU-3", 1, 3000]]], ["A-2", "web", "cancelled", 1000, null, [["SKU-1", 1, 1000]]]]' \
	"orders across shops with their items, oldest first"
is "$(js one.json '[(i["shop"], i["source"], i["newsletter"]) for i in d["identities"]]')" \
	'[["web", "orders.csv:2", true], ["rakuten", "orders.csv:4", true]]' "buyer records with their shop"
is "$(js one.json '[(m["campaign"], m["kind"], m["scenario"], m["step"], m["status"], m["address"], m["customer_id"]) for m in d["mails"]]')" \
	'[["autumn", "newsletter", null, null, "sent", "taro@example.jp", 1], ["scenario:fan:1", "notices", "fan", 1, "sent", "taro@example.jp", 1]]' \
	"mails: the campaign, and the scenario with its step"
like "$(js one.json 'd["mails"][0]["message_id"]')" "^<.+@.+>$" "mails: the Message-ID"
is "$(js one.json '[(s["scenario"], s["status"], s["next_step"], s["due"], s["via"], s["version"], s["anchor"]) for s in d["scenarios"]]')" \
	'[["fan", "ready", 2, "2026-12-02", "list", 1, "2026-11-25"]]' "scenarios: step 2 due 7 days after the list enrolment"
is "$(js one.json '[(t["step"], t["days"], t["kind"], t["outcome"]) for t in d["scenarios"][0]["steps"]]')" \
	'[[1, 0, "mail", "sent"], [2, 7, "dm", null], [3, 14, "call", null]]' "scenarios: each step and what happened"
is "$(js one.json 'd["scenarios"][0]["steps"][0]["template"]')" "$T/notices.tmpl" "scenarios: the step's template"

# The same in text.
crm-show 1 >one.txt
is "$(sed -n '/^mails$/,/^$/p' one.txt | sed 1,2d | awk 'NF { print $3, $4, $5, $6, $7 }')" "autumn sent taro@example.jp  
scenario:fan:1 fan 1 sent taro@example.jp" "text: mails"
is "$(sed -n '/^scenarios$/,$p' one.txt | sed 1d)" "scenario  status  next  due         enrolled          step  days  kind  outcome  done
fan       ready      2  2026-12-02  $(js one.json 'd["scenarios"][0]["enrolled_at"][:16]')     1     0  mail  sent     $(js one.json 'd["scenarios"][0]["steps"][0]["at"][:16]')
                                                         2     7  dm
                                                         3    14  call" "text: scenario and its steps"

# Customer 5's mail was recorded for 5; merged into 4, it shows under 4.
crm-dedupe -q merge 4 5 >/dev/null 2>&1
crm-show -o json 4 >four.json
is "$(js four.json '[(m["campaign"], m["customer_id"], m["address"]) for m in d["mails"]]')" \
	'[["autumn", 5, "jiro2@example.jp"]]' "a merged-in customer's mail under the survivor"
is "$(js four.json '[(m["customer_id"], m["into"], m["how"]) for m in d["merged"]]')" '[[5, 4, "manual"]]' "merged: who went into whom"
is "$(js four.json '[o["order_no"] for o in d["orders"]]')" '["B-1", "B-2"]' "the merged-in customer's order"
is "$(js four.json 'd["order_count"], d["total"]')" '[2, 1500]' "count and total of the merged customer"
crm-show -o json 5 >five.json
is "$(js five.json 'd["id"], d["merged_from"]')" '[4, 5]' "-o json for a merged-away id: merged_from"

# Opt-outs: who, why, when.
echo 1 | crm-optout -q --channel newsletter --reason 'asked by phone' >/dev/null
crm-show -o json 1 >one.json
is "$(js one.json '[(o["channel"], o["action"], o["by"], o["reason"], o["source"]) for o in d["optouts"]] + [d["newsletter"], d["notices"]]')" \
	'[["newsletter", "out", "owner", "asked by phone", "crm-optout"], false, true]' "opt-out history and the states"

# JSON strings are escaped.
sql "UPDATE customers SET caution = 1, caution_reason = 'says \"no\"
twice\\' WHERE id = 2"
crm-show -o json 2 >two.json
ok "a quote, a newline and a backslash: still valid JSON" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' two.json
is "$(js two.json 'repr(d["caution_reason"])')" "'says \"no\"\\ntwice\\\\'" "... and the value round-trips"
done_testing
