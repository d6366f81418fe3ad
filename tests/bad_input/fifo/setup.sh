# setup.sh -- a FIFO named like a revision file: reading it would block.
mkfifo revisions/b2_second.sql
