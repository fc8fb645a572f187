#!/usr/bin/env bash
# The demo's one-click story (--scenario cloudflare, issue 12): the records
# screen offers to let Cloudflare add the records; a shows the link (marked
# as the demo's, going nowhere), r its QR code; the presenter's n plays the
# customer approving at Cloudflare, and the wizard goes on to All set with
# no record typed.  Other scenarios offer nothing, and a does nothing there.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

state="$E2E_STATE/demo.json"

# ---- No Domain Connect in the default story: no offer, a does nothing.
e2e_start
e2e_to_domain customer.example
e2e_keys Enter
e2e_wait "Add these records to the DNS of customer.example at GoDaddy."
e2e_refute_screen "in one click"
e2e_footer "Up/Down move  v copy  d details  c check  e export"
e2e_keys a
e2e_keys '?'
e2e_wait "Press any key to close this help."
e2e_keys Escape
e2e_wait_gone "Press any key to close this help."
e2e_refute_screen "Set up automatically"
e2e_stop

# ---- The one-click story.
e2e_start --reset --scenario cloudflare
e2e_to_domain customer.example
e2e_keys Enter
e2e_wait "Add these records to the DNS of customer.example at Cloudflare."
e2e_wait "▸ Let Cloudflare add these records for you, in one click: press a."
e2e_wait "• Cloudflare supports Domain Connect: press a to see the one-click link the"
e2e_footer "a one click  v copy  d details  c check  e export"
e2e_assert_screen "DKIM key     TXT   20270101000000pm._domainkey  k=rsa; p… ✗ Not found yet"

# The footer's other keys still work beside a.
e2e_keys v
e2e_wait "Triple-click a line"
e2e_keys Escape
e2e_wait "▸ Let Cloudflare add these records for you, in one click: press a."
e2e_keys d
e2e_wait "What each of your nameservers answers"
e2e_keys d
e2e_wait_gone "What each of your nameservers answers"
e2e_keys e
e2e_wait "Write a file"
e2e_keys Escape
e2e_wait "▸ Let Cloudflare add these records for you, in one click: press a."

e2e_keys a
e2e_wait "Set up automatically at Cloudflare"
e2e_assert_screen "Set up customer.example at Cloudflare"
e2e_assert_screen "In this demo the link leads nowhere: press n to play the customer approving"
url=$(e2e_screen | awk '/^https:\/\//{on=1} on && /^$/{exit} on{printf "%s", $0}')
case $url in
"https://domainconnect.cloudflare.demo.example/v2/domainTemplates/providers/acmehelp.example/services/postmark/apply?domain=customer.example&host=&dkimselector=20270101000000pm&dkimvalue=k%3Drsa%3B%20p%3D"*"&returnpathvalue=pm.mtasv.net") ;;
*) e2e_fail "the demo's link: $url" ;;
esac
# r: the QR code's page (too small a window: it says what it needs), Esc back.
e2e_keys r
e2e_wait "The QR code needs a window of at least"
e2e_keys Escape
e2e_wait "Set up customer.example at Cloudflare"
# Esc: back to the records, the offer still there; a again; Enter on the
# QR code's page goes back to the records too.
e2e_keys Escape
e2e_wait "▸ Let Cloudflare add these records for you, in one click: press a."
e2e_keys a
e2e_wait "Set up automatically at Cloudflare"
e2e_keys r
e2e_wait "The QR code needs a window of at least"
e2e_keys Enter
e2e_wait "▸ Let Cloudflare add these records for you, in one click: press a."
e2e_keys a
e2e_wait "Set up automatically at Cloudflare"

# n on the page: the customer approved; DNS has both records, the page
# closes by itself and the wizard goes on.
e2e_keys n
e2e_wait "All set!"
e2e_assert_screen "• The customer opened the link, signed in at Cloudflare and approved:"
e2e_wait_saved "$state" .demo_stage 1
e2e_wait_saved "$state" .step done
e2e_stop

# ---- A terminal without UTF-8: the page in ASCII; the QR code would be
# twice as wide and tall, and the page says a UTF-8 locale halves it.
E2E_ENV="LC_ALL=C" e2e_start --reset --scenario cloudflare
e2e_to_domain customer.example
e2e_keys Enter
e2e_wait "> Let Cloudflare add these records for you, in one click: press a."
e2e_keys a
e2e_wait "> Set up customer.example at Cloudflare"
e2e_keys r
e2e_wait "terminal, which does not show UTF-8; with UTF-8 (a UTF-8 locale such as"
e2e_keys Escape
e2e_wait "Set up automatically at Cloudflare"
e2e_pass
