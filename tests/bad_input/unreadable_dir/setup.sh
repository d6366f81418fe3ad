# setup.sh -- a subdirectory nobody may read (mode 000).
# Root reads anything, so as root migbundle runs as nobody (uid 65534)
# through setpriv or runuser; without either the case is skipped.
set -u
mkdir -p revisions/private
chmod 000 revisions/private
[ "$(id -u)" = 0 ] || exit 0
if command -v setpriv >/dev/null; then
    runner="setpriv --reuid=65534 --regid=65534 --clear-groups"
elif command -v runuser >/dev/null; then
    runner="runuser -u nobody --"
else
    echo "root can read anything, and neither setpriv nor runuser is" \
        "installed to drop that privilege" >skip
    exit 77
fi
chmod 755 .
if ! $runner test -x "$MIGBUNDLE"; then
    echo "root can read anything, and nobody cannot run $MIGBUNDLE" >skip
    exit 77
fi
echo "$runner" >runner
