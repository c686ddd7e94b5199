# Sourced by the benchmarks: the server's root key (a fixed benchmark key, never a real one) and
# clients that sign with it, as every API request must be signed.
export BENCH_ACCESS_KEY_ID=AKIASTRATUSBENCHKEY1
export BENCH_SECRET_ACCESS_KEY=StratusBenchmarkSecretKey0123456789abcde
export STRATUS_ROOT_ACCESS_KEY_ID=$BENCH_ACCESS_KEY_ID STRATUS_ROOT_SECRET_ACCESS_KEY=$BENCH_SECRET_ACCESS_KEY
export AWS_ACCESS_KEY_ID=$BENCH_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$BENCH_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1
BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# curl, signing the request for Lambda's API (the SQS API at / is signed as sqs by its callers).
scurl() { curl --aws-sigv4 "aws:amz:us-east-1:lambda" --user "$BENCH_ACCESS_KEY_ID:$BENCH_SECRET_ACCESS_KEY" "$@"; }

# Exports WRK_AMZ_DATE and WRK_AUTHORIZATION for wrk scripts that replay one signed request.
presign() {
  local signed
  signed=$(python3 "$BENCH_LIB/sign.py" "$@") || return 1
  export WRK_AMZ_DATE=${signed%%$'\n'*} WRK_AUTHORIZATION=${signed#*$'\n'}
}
