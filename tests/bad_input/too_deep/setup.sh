# setup.sh -- a revision 65 directory levels below revisions/ (the limit is
# 64).
d=revisions
for _ in $(seq 65); do d=$d/d; done
mkdir -p "$d"
cp revisions/a1_first.sql "$d/b2_deep.sql"
