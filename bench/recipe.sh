#!/usr/bin/env bash
# The shell recipe drflow is measured against, as teams run it today:
#   backup:  pg_dump -Fc -Z9 -> sha256sum -> aws s3 cp
#   restore: aws s3 cp -> sha256sum (check) -> pg_restore (serial)
# Called by the benchmark with PG* and AWS_* in the environment. Prints "step NAME SECONDS" lines.
#   recipe.sh backup  FILE ENDPOINT S3URL
#   recipe.sh restore FILE ENDPOINT S3URL DATABASE
set -euo pipefail
: "${PGBIN:?PGBIN must name the PostgreSQL bin directory}"
AWS=/usr/bin/aws   # Debian's awscli v2; an `aws` earlier on PATH may be a pip v1
now() { date +%s.%N; }
step() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "step %s %.3f\n", n, b - a }'; }

mode=$1 file=$2 endpoint=$3 url=$4
case "$mode" in
  backup)
    t0=$(now); "$PGBIN/pg_dump" -Fc -Z9 -f "$file"
    t1=$(now); sha256sum "$file" | cut -d' ' -f1 > "$file.sha256"
    t2=$(now); "$AWS" --endpoint-url "$endpoint" s3 cp --only-show-errors "$file" "$url"
               "$AWS" --endpoint-url "$endpoint" s3 cp --only-show-errors "$file.sha256" "$url.sha256"
    t3=$(now)
    step dump "$t0" "$t1"; step sha256 "$t1" "$t2"; step upload "$t2" "$t3"
    ;;
  restore)
    db=$5
    t0=$(now); "$AWS" --endpoint-url "$endpoint" s3 cp --only-show-errors "$url" "$file"
               "$AWS" --endpoint-url "$endpoint" s3 cp --only-show-errors "$url.sha256" "$file.sha256"
    t1=$(now); actual=$(sha256sum "$file" | cut -d' ' -f1)
    if [ "$actual" != "$(cat "$file.sha256")" ]; then echo "checksum mismatch" >&2; exit 1; fi
    t2=$(now); "$PGBIN/pg_restore" --exit-on-error -d "$db" "$file"
    t3=$(now)
    step download "$t0" "$t1"; step sha256 "$t1" "$t2"; step pg_restore "$t2" "$t3"
    ;;
  *) echo "usage: recipe.sh backup|restore ..." >&2; exit 2 ;;
esac
