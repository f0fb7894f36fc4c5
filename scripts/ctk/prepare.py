#!/usr/bin/env python3
"""Turn a TM Forum CTK (its Postman collection and config) into a newman run against KAMS.

Does what the kit's own ``index.js`` does — the request headers of ``config.json`` on every
request, the implementation's payloads in the create (POST) requests, the API's base URL in
the environment — with KAMS's values, and optionally keeps only some resources' folders.
Reads the kit from ``--kit`` and writes ``collection.json`` and ``environment.json`` to
``--out``; nothing of the kit is written anywhere else.

    prepare.py --kit DIR --out DIR --collection ctk/X.postman_collection.json \
        --env-key Customer --base-url http://127.0.0.1:8090/tmf-api/customerManagement/v4/ \
        --header "Authorization: Token …" --payload 0='{"name": …}' [--only billingAccount]
"""

from __future__ import annotations

import argparse
import json
import pathlib


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kit", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--collection", required=True, help="the collection's path inside the kit")
    parser.add_argument("--env-key", required=True, help="the environment variable the collection's URLs use")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--header", action="append", default=[], help="'Name: value', sent on every request")
    parser.add_argument(
        "--payload", action="append", default=[],
        help="INDEX=JSON: the body of the create requests of top-level folder INDEX (numbered as in the kit's "
        "index.js, which sets only the first of them; the second keeps the kit's example, whose party ids are "
        "placeholders no real server holds, so both are set here)",
    )
    parser.add_argument("--only", help="keep only the folders whose requests all address this resource")
    args = parser.parse_args()

    collection = json.loads((args.kit / args.collection).read_text(encoding="utf-8"))
    config_file = args.kit / "config.json"
    # Newer kits name their request headers in config.json; older ones (TMF621 R18) keep each
    # request's own headers. Either way the given headers (the API token) are added.
    config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else None
    folders = collection["item"]
    for folder in folders:
        for item in folder["item"]:
            if config is not None:
                headers = [{"key": k, "value": v} for k, v in config.get("headers", {}).items()]
            else:
                headers = list(item["request"].get("header", []))
            for raw in args.header:
                name, _sep, value = raw.partition(":")
                headers = [h for h in headers if h["key"].lower() != name.strip().lower()]
                headers.append({"key": name.strip(), "value": value.strip()})
            item["request"]["header"] = headers
    for raw in args.payload:
        index, _sep, body = raw.partition("=")
        json.loads(body)  # must be JSON
        for item in folders[int(index)]["item"]:
            if item["request"]["method"] == "POST":
                item["request"]["body"]["raw"] = body
    if args.only:
        marker = "}}" + args.only

        def addresses(item: dict) -> bool:
            url = item["request"]["url"]
            raw_url = url if isinstance(url, str) else url.get("raw", "")
            return marker in raw_url and raw_url.split(marker, 1)[1][:1] in ("", "/", "?")

        collection["item"] = [f for f in folders if f["item"] and all(addresses(i) for i in f["item"])]
    environment = {
        "name": "KAMS",
        "values": [{"key": args.env_key, "value": args.base_url, "enabled": True}],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "collection.json").write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    (args.out / "environment.json").write_text(json.dumps(environment), encoding="utf-8")


if __name__ == "__main__":
    main()
