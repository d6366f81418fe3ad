# setup.sh -- a link inside the tree back to the top of the tree.
mkdir -p revisions/sub
ln -s .. revisions/sub/back
