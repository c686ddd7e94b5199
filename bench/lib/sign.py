#!/usr/bin/env python3
"""Prints the SigV4 headers for one request, so that wrk can replay a signed request.

usage: sign.py METHOD URL BODY [SERVICE]  ->  two lines: X-Amz-Date, Authorization
A signature stays valid for 15 minutes (the server's clock skew); the benchmarks sign just
before each wrk run. Keys come from BENCH_ACCESS_KEY_ID / BENCH_SECRET_ACCESS_KEY.
"""
import datetime
import hashlib
import hmac
import os
import sys
import urllib.parse


def sign(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def headers(method, url, body, service="lambda"):
    """The X-Amz-Date and Authorization headers of one request (body: bytes)."""
    key_id = os.environ["BENCH_ACCESS_KEY_ID"]
    secret = os.environ["BENCH_SECRET_ACCESS_KEY"]
    region = os.environ.get("BENCH_REGION", "us-east-1")
    parts = urllib.parse.urlsplit(url)
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    # Lambda's canonical URI encodes each path segment twice; for the plain names used here the
    # second pass changes nothing.
    path = "/".join(urllib.parse.quote(urllib.parse.quote(s, safe=""), safe="") for s in parts.path.split("/"))
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    canonical = "\n".join([method, path, query, f"host:{parts.netloc}", f"x-amz-date:{amz_date}", "",
                           "host;x-amz-date", hashlib.sha256(body).hexdigest()])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = sign(sign(sign(sign(("AWS4" + secret).encode(), day), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"X-Amz-Date": amz_date,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}"}


def main():
    signed = headers(sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4] if len(sys.argv) > 4 else "lambda")
    print(signed["X-Amz-Date"])
    print(signed["Authorization"])


if __name__ == "__main__":
    main()
