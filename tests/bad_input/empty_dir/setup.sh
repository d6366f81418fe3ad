# setup.sh -- files, but none named *.sql, and an empty subdirectory (which
# git cannot store): usually the wrong directory was given.
mkdir -p revisions/archive
echo "notes" >revisions/README.txt
echo "-- not a revision" >revisions/archive/old.sql.bak
