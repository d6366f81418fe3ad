# setup.sh -- a link to itself: resolving it never ends (ELOOP).
ln -s b2_self.sql revisions/b2_self.sql
