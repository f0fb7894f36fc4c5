#!/usr/bin/env bash
# Run the TM Forum conformance test kits (CTKs) against a running KAMS.
#
#   scripts/ctk/run.sh                     # kits from $CTK_TMF629 $CTK_TMF632 $CTK_TMF666
#   CTK_TMF621=/path/to/CTK-TMF621-TroubleTicket-R18-0 scripts/ctk/run.sh tmf621
#   CTK_TMF629=/path/to/CTK-TMF629-Customer CTK_TMF632=… CTK_TMF666=… scripts/ctk/run.sh
#   scripts/ctk/run.sh tmf629 tmf666       # only some of them
#   CTK_TMF639=/path/to/CTK-TMF639-ResourceInventory scripts/ctk/run.sh tmf639
#
# The kits are the public GitHub repositories tmforum-rand/CTK-TMF629-Customer,
# tmforum-rand/CTK-TMF632-Party, tmforum-rand/CTK-TMF666-Account,
# tmforum-rand/CTK-TMF621-TroubleTicket-R18-0 and tmforum-rand/CTK-TMF639-ResourceInventory. This script does not
# download them and nothing of them belongs in this repository: point the variables at a
# checkout (a directory with config.json) or at a bare clone (then HEAD is read with
# git archive into a temporary directory).
#
# Settings (environment):
#   KAMS_URL      the server, default http://127.0.0.1:8090
#   CTK_TOKEN     an API token; else one is asked for CTK_USER / CTK_PASSWORD
#                 (default js_director / kams-demo, the demo's province director)
#   CTK_PARTY_ID  the customer the TMF666 billing accounts are opened for; default: the
#                 first organisation the user can see
#   CTK_RESOURCE_TOKEN / CTK_RESOURCE_USER  TMF639 adds a resource item, which the province
#                 director may not: its own token, else one for CTK_RESOURCE_USER (default
#                 js_channel, the demo's channel manager, password CTK_PASSWORD)
#   CTK_RESOURCE_UNIT  the unit whose stock the TMF639 item goes into (default NJ-QD)
#   NEWMAN        the newman executable; default newman on PATH, else /tmp/newman's
#   CTK_OUT       where collections, environments and JSON results go (default a temp dir)
#
# What is run: TMF629 whole; TMF632 whole; of TMF666 the billingAccount folders only (KAMS
# offers no partyAccount, settlementAccount, financialAccount, billFormat,
# billingCycleSpecification or billPresentationMedia); TMF639 whole. Exit status 0 when every
# assertion passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
url=${KAMS_URL:-http://127.0.0.1:8090}
url=${url%/}
python=${PYTHON:-python3}
newman=${NEWMAN:-}
if [ -z "$newman" ]; then
  if command -v newman >/dev/null 2>&1; then newman=newman
  elif [ -x /tmp/newman/node_modules/.bin/newman ]; then newman=/tmp/newman/node_modules/.bin/newman
  else echo "newman not found: npm install --prefix /tmp/newman newman, or set NEWMAN" >&2; exit 2
  fi
fi
out=${CTK_OUT:-$(mktemp -d -t kams-ctk.XXXXXX)}
mkdir -p "$out"

token_for() {  # user
  curl -sf -X POST "$url/api/v1/auth/token/" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"${CTK_PASSWORD:-kams-demo}\"}" |
    "$python" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
token=${CTK_TOKEN:-}
if [ -z "$token" ]; then
  token=$(token_for "${CTK_USER:-js_director}")
fi
auth="Authorization: Token $token"

# A kit: a directory with config.json, or a git directory whose HEAD is unpacked.
kit_dir() {
  local source=$1 name=$2
  if [ -f "$source/config.json" ] || [ -d "$source/ctk" ]; then echo "$source"; return; fi
  if git --git-dir="$source" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    rm -rf "${out:?}/$name-kit" && mkdir -p "$out/$name-kit"
    git --git-dir="$source" archive HEAD | tar -x -C "$out/$name-kit"
    echo "$out/$name-kit"; return
  fi
  echo "not a CTK checkout or git directory: $source" >&2; exit 2
}

run_kit() {  # name kit collection env-key base-path [prepare options…]
  local name=$1 kit=$2 collection=$3 key=$4 base=$5; shift 5
  "$python" "$here/prepare.py" --kit "$kit" --out "$out/$name" --collection "$collection" \
    --env-key "$key" --base-url "$url$base" --header "$auth" "$@"
  echo "=== $name ($url$base)"
  set +e
  "$newman" run "$out/$name/collection.json" -e "$out/$name/environment.json" --insecure \
    --reporters cli,json --reporter-json-export "$out/$name/results.json" >"$out/$name/newman.log" 2>&1
  local status=$?
  set -e
  "$python" - "$out/$name/results.json" "$name" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["run"]
s = run["stats"]
print(f"{sys.argv[2]}: requests {s['requests']['total']} (failed {s['requests']['failed']}), "
      f"assertions {s['assertions']['total']} (failed {s['assertions']['failed']})")
for failure in run["failures"]:
    print(f"  FAIL {failure['source']['name']}: {failure['error'].get('test', '')} — {failure['error']['message']}")
PY
  return $status
}

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(tmf629 tmf632 tmf666)
result=0
for kit in "${wanted[@]}"; do
  case $kit in
    tmf629)
      dir=$(kit_dir "${CTK_TMF629:?set CTK_TMF629 to the TMF629 kit}" tmf629)
      # engagedParty: the kit's example id (500) would name an existing demo customer, and
      # every KAMS party already is its one customer (409); an id KAMS does not hold is the
      # client's own reference and the party is created with the customer.
      run_kit tmf629 "$dir" ctk/CTK-Customer-4.0.0.postman_collection.json Customer \
        /tmf-api/customerManagement/v4/ \
        --payload '0={"name":"Moon Football Club","engagedParty":{"@referredType":"Organization","id":"CTK-500"}}' ||
        result=1
      ;;
    tmf632)
      dir=$(kit_dir "${CTK_TMF632:?set CTK_TMF632 to the TMF632 kit}" tmf632)
      run_kit tmf632 "$dir" ctk/TMF632-Party-v4.0.0.testkit.json Party /tmf-api/party/v4/ || result=1
      ;;
    tmf666)
      dir=$(kit_dir "${CTK_TMF666:?set CTK_TMF666 to the TMF666 kit}" tmf666)
      party=${CTK_PARTY_ID:-$(curl -sf "$url/tmf-api/party/v4/organization?limit=1&fields=id" -H "$auth" |
        "$python" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')}
      # relatedParty must name a party the user may see (the kit's example id is a placeholder).
      run_kit tmf666 "$dir" ctk/CTK-Account-4.0.0.postman_collection.json Account \
        /tmf-api/accountManagement/v4/ --only billingAccount \
        --payload "12={\"name\":\"Home Account\",\"relatedParty\":[{\"@referredType\":\"Organization\",\"id\":\"$party\",\"name\":\"Richard Cole\"}]}" ||
        result=1
      ;;
    tmf621)
      dir=$(kit_dir "${CTK_TMF621:?set CTK_TMF621 to the TMF621 kit}" tmf621)
      # Written for R18 (an older version); its TroubleTicketAPI variable points at our v4 base path.
      run_kit tmf621 "$dir" ctk/CTK-TMF621-TroubleTicket.postman_collection.json TroubleTicketAPI \
        /tmf-api/troubleTicket/v4 || result=1
      ;;
    tmf639)
      dir=$(kit_dir "${CTK_TMF639:?set CTK_TMF639 to the TMF639 kit}" tmf639)
      resource_token=${CTK_RESOURCE_TOKEN:-$(token_for "${CTK_RESOURCE_USER:-js_channel}")}
      # The kit's example ({"name": "RouterXX"}) names no kind and no unit: a number (a fresh
      # serial each run, a serial already held being a 409) put into CTK_RESOURCE_UNIT's stock.
      run_kit tmf639 "$dir" ctk/CTK-Resource_Inventory-4.0.0.postman_collection.json Resource_Inventory \
        /tmf-api/resourceInventoryManagement/v4/ --header "Authorization: Token $resource_token" \
        --payload "0={\"name\":\"1$(date +%s)\",\"@type\":\"LogicalResource\",\"resourceSpecification\":{\"id\":\"number\"},\"place\":{\"id\":\"${CTK_RESOURCE_UNIT:-NJ-QD}\"}}" ||
        result=1
      ;;
    *) echo "unknown kit: $kit (tmf621, tmf629, tmf632, tmf639, tmf666)" >&2; exit 2 ;;
  esac
done
echo "results in $out"
exit $result
