# setup.sh -- a link to a revision file that was renamed away.
ln -s b2_renamed.sql revisions/b2_second.sql
