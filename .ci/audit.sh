#!/usr/bin/env bash
# `make audit`: the supply-chain checks. bandit (static security lint of our code) always; pip-audit (the
# installed packages against known vulnerabilities, by asking PyPI's JSON API) when PyPI can be reached,
# else skipped with a message (CI without network). Exit 1 on a bandit finding or a known vulnerability.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
echo "bandit: geo db dashboard bench"
# (bandit warns "nosec encountered, but no failed test" for every node sharing an annotated line: noise)
$BIN/bandit -q -c pyproject.toml -r geo db dashboard bench 2> >(grep -v "but no failed test" >&2) || status=1
if ! curl -fsS -o /dev/null --max-time 10 https://pypi.org/pypi/pip/json 2>/dev/null; then
  echo "pip-audit: SKIPPED - https://pypi.org cannot be reached from here (offline); run 'make audit' with network"
  exit $status
fi
echo "pip-audit: the installed packages against PyPI's vulnerability data"
out=$($BIN/pip-audit --progress-spinner off --skip-editable 2>&1)
rc=$?
echo "$out"
[ $rc -ne 0 ] && status=1
skipped=$(grep -c "could not be audited" <<<"$out")
if [ "$skipped" -gt 0 ]; then
  echo "pip-audit: WARNING - $skipped package(s) could not be audited (the index answering for PyPI here does not"
  echo "           serve per-version JSON); 'No known vulnerabilities' covers only the others"
fi
exit $status
