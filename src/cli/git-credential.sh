#!/bin/sh
# The git credential helper `slipway git:remote` configures. git calls it with
# get, store or erase; only `get` has an answer (the Slipway token), so the
# others return at once instead of starting Node (~90 ms per push).
# Usage, from git config: git-credential.sh NODE SLIPWAY_BIN OPERATION
[ "$3" = get ] || exit 0
exec "$1" "$2" git:credential get
