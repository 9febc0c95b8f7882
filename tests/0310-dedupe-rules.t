#!/bin/sh
# crm-dedupe rules: listing, per-shop and global rules, reset, validation.
. "$(dirname "$0")/lib.sh"

out=$(crm-dedupe rules -o csv)
is "$out" "scope,rule,origin
global,email,default
global,phone,default" "no rules set: the default (email, phone) is listed"

ok "set rakuten rules" crm-dedupe rules --shop rakuten name+phone
ok "set amazon rules" crm-dedupe rules --shop amazon 'email + name'
is "$(sql "SELECT s.name, r.rule FROM match_rules r JOIN shops s ON s.id = r.shop_id ORDER BY s.name")" \
"amazon|email+name
rakuten|phone+name" "rules stored per shop in canonical spelling"

out=$(crm-dedupe rules -o csv)
is "$out" "scope,rule,origin
global,email,default
global,phone,default
amazon,email+name,shop
rakuten,phone+name,shop" "listing: global default, then each shop with its own rules"

out=$(crm-dedupe rules --shop rakuten -o csv)
is "$out" "scope,rule,origin
rakuten,phone+name,shop" "--shop lists the rules in force for that shop"

ok "global rules" crm-dedupe rules email member_id name+postcode+address
out=$(crm-dedupe rules -o csv | grep '^global')
is "$out" "global,email,global
global,member_id,global
global,name+postcode+address,global" "global rules replace the default"

ok "set rules of a shop never imported" crm-dedupe rules --shop yahoo phone
out=$(crm-dedupe rules --shop yahoo -o csv)
is "$out" "scope,rule,origin
yahoo,phone,shop" "a shop is created when rules are set for it"

ok "a rule set replaces the previous set of the scope" crm-dedupe rules --shop yahoo email name+kana
is "$(crm-dedupe rules --shop yahoo -o csv | tail -n +2)" "yahoo,email,shop
yahoo,name+kana,shop" "yahoo rules replaced"

ok "--reset a shop" crm-dedupe rules --shop yahoo --reset
is "$(crm-dedupe rules --shop yahoo -o csv | tail -n +2)" "yahoo,email,global
yahoo,member_id,global
yahoo,name+postcode+address,global" "a reset shop falls back to the global rules"
ok "--reset global" crm-dedupe rules --reset
is "$(crm-dedupe rules --shop yahoo -o csv | tail -n +2)" "yahoo,email,default
yahoo,phone,default" "and the global scope back to the default"

# Validation: nothing is written when one rule is bad.
before=$(sql "SELECT count(*) FROM match_rules")
err=$(crm-dedupe rules --shop rakuten name+fone 2>&1 >/dev/null); rc=$?
is "$rc" 64 "unknown rule field: exit 64"
like "$err" "unknown field 'fone' \\(known: email, phone, name, kana, postcode, prefecture, address, birthday, member_id\\)" \
	"the message names the field and lists the known ones"
fails 64 "empty field in a rule" crm-dedupe rules name++phone
fails 64 "one good and one bad rule" crm-dedupe rules --shop rakuten email bogus
is "$(sql "SELECT count(*) FROM match_rules")" "$before" "nothing written by a rejected rule set"
is "$(crm-dedupe rules --shop rakuten -o csv | tail -n +2)" "rakuten,phone+name,shop" "rakuten rules unchanged"
fails 64 "--reset with a rule" crm-dedupe rules --reset email
fails 65 "listing an unknown shop" crm-dedupe rules --shop nosuchshop
fails 64 "--shop on run is a usage error" crm-dedupe run --shop rakuten
done_testing
