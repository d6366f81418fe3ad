#!/usr/bin/python3
"""Record what real Alembic does for the graphs in tests/alembic/graphs.

For each graph spec (graphs/NAME.graph, format in README.md) this script
builds a throwaway Alembic project in a temporary directory: alembic.ini,
env.py and one versions/<id>.py per revision, on a SQLite database file.
It creates the table mb_order, then runs the spec's steps one after the
other through alembic.command (upgrade, downgrade, stamp), and after each
step reads the version table and the rows that the step's migrations added
to mb_order. The result is written to expected/NAME.expect, which
replay.sh compares with app-migrate.

Every graph is run twice, each run in its own Python process: once with
the migration files listed in sorted order and PYTHONHASHSEED=0 (the run
that is recorded), and once with the listing reversed and
PYTHONHASHSEED=1. A step whose revisions ran in a different order in the
second run is marked "order any". A step that ends in a different state
in the two runs is an error here, unless the spec marks it !refuse.

It is run by hand, never by the test suite, with Debian's python3-alembic:

    /usr/bin/python3 tests/alembic/gen.py              # every graph
    /usr/bin/python3 tests/alembic/gen.py linear.graph # some graphs

It uses only the standard library, alembic and sqlalchemy.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
GRAPHS = os.path.join(HERE, "graphs")
EXPECTED = os.path.join(HERE, "expected")

ID_RE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
VERBS = {"up": "upgrade", "down": "downgrade", "stamp": "stamp"}


class SpecError(Exception):
    pass


class Rev:
    def __init__(self, rid, revises, depends, labels):
        self.id = rid
        self.revises = revises
        self.depends = depends
        self.labels = labels


class Step:
    def __init__(self, number, verb, args, refuse):
        self.number = number
        self.verb = verb
        self.args = args
        self.refuse = refuse

    def command(self):
        return " ".join([self.verb] + self.args)


# What every graph records of Alembic's read commands, before any "read"
# lines of its own.
DEFAULT_READS = [["history"], ["heads"], ["branches"]]
READ_VERBS = {"history", "heads", "branches"}


def split_list(value):
    items = value.split(",")
    for item in items:
        if not ID_RE.match(item):
            raise SpecError("bad list item %r" % item)
    return items


def parse_graph(path):
    """Return (revs, steps, reads): revs a dict id -> Rev in file order,
    reads the read commands (each a list of words) to record."""
    revs = {}
    steps = []
    reads = list(DEFAULT_READS)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            where = "%s:%d" % (path, lineno)
            if words[0] == "rev":
                if len(words) < 2 or not ID_RE.match(words[1]):
                    raise SpecError("%s: rev needs an id" % where)
                rid = words[1]
                if rid in revs or rid in ("head", "heads", "base"):
                    raise SpecError("%s: bad or duplicate id %s" % (where, rid))
                keys = {"revises": [], "depends": [], "labels": []}
                for word in words[2:]:
                    key, eq, value = word.partition("=")
                    if not eq or key not in keys:
                        raise SpecError("%s: unknown word %r" % (where, word))
                    keys[key] = split_list(value)
                revs[rid] = Rev(rid, keys["revises"], keys["depends"],
                                keys["labels"])
            elif words[0] == "step":
                if len(words) < 3 or words[1] not in VERBS:
                    raise SpecError("%s: step needs up|down|stamp and a "
                                    "target" % where)
                args = words[2:]
                refuse = "!refuse" in args
                args = [a for a in args if a != "!refuse"]
                purge = "--purge" in args
                targets = [a for a in args if a != "--purge"]
                if purge and words[1] != "stamp":
                    raise SpecError("%s: --purge is for stamp" % where)
                if not targets or (words[1] != "stamp" and len(targets) > 1):
                    raise SpecError("%s: up and down take one target, as "
                                    "alembic's upgrade and downgrade do"
                                    % where)
                steps.append(Step(len(steps) + 1, words[1], args, refuse))
            elif words[0] == "read":
                if len(words) < 2 or words[1] not in READ_VERBS or (
                        words[2:] and (words[2] != "-r" or len(words) != 4)):
                    raise SpecError("%s: read takes history [-r RANGE], "
                                    "heads or branches" % where)
                reads.append(words[1:])
            else:
                raise SpecError("%s: unknown line %r" % (where, words[0]))
    for rev in revs.values():
        for other in rev.revises + rev.depends:
            if other not in revs:
                raise SpecError("%s: %s names unknown revision %s"
                                % (path, rev.id, other))
    return revs, steps, reads


# --- the Alembic project ---------------------------------------------------

ENV_PY = '''\
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''


def py_tuple(items):
    if not items:
        return "None"
    return "(" + "".join("%r, " % i for i in items) + ")"


def revision_py(rev):
    if not rev.revises:
        down = "None"
    elif len(rev.revises) == 1:
        down = repr(rev.revises[0])
    else:
        down = py_tuple(rev.revises)
    body = []
    for func, direction in (("upgrade", "up"), ("downgrade", "down")):
        body.append(
            "def %s():\n    op.execute(\"INSERT INTO mb_order (rev, dir) "
            "VALUES ('%s', '%s')\")\n" % (func, rev.id, direction))
    return (
        '"""revision %s"""\nfrom alembic import op\n\n'
        "revision = %r\ndown_revision = %s\nbranch_labels = %s\n"
        "depends_on = %s\n\n\n%s\n\n%s"
        % (rev.id, rev.id, down, py_tuple(rev.labels),
           py_tuple(rev.depends), body[0], body[1]))


def write_project(tmp, revs):
    scripts = os.path.join(tmp, "migrations")
    os.makedirs(os.path.join(scripts, "versions"))
    db = os.path.join(tmp, "alembic.db")
    ini = os.path.join(tmp, "alembic.ini")
    with open(ini, "w", encoding="utf-8") as f:
        f.write("[alembic]\nscript_location = %s\n"
                "sqlalchemy.url = sqlite:///%s\n" % (scripts, db))
    with open(os.path.join(scripts, "env.py"), "w", encoding="utf-8") as f:
        f.write(ENV_PY)
    for rev in revs.values():
        path = os.path.join(scripts, "versions", rev.id + ".py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(revision_py(rev))
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE mb_order (seq INTEGER PRIMARY KEY "
                "AUTOINCREMENT, rev TEXT, dir TEXT)")
    con.commit()
    con.close()
    return ini, db


def version_rows(db):
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        rows = []  # no alembic_version table yet
    con.close()
    return sorted(r[0] for r in rows)


def order_rows(db, after):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT seq, rev, dir FROM mb_order WHERE seq > ? "
                       "ORDER BY seq", (after,)).fetchall()
    con.close()
    return rows


def set_version_rows(db, rows):
    con = sqlite3.connect(db)
    con.execute("DELETE FROM alembic_version")
    con.executemany("INSERT INTO alembic_version (version_num) VALUES (?)",
                    [(r,) for r in rows])
    con.commit()
    con.close()


def one_line(text):
    return " ".join(str(text).split())


def record(graph, listing):
    """Run every step of GRAPH through Alembic; return the results."""
    import alembic.command
    from alembic.config import Config
    from alembic.script.base import Script

    def list_py_dir(cls, scriptdir, path):
        return sorted(os.listdir(path), reverse=(listing == "reversed"))

    Script._list_py_dir = classmethod(list_py_dir)
    sys.dont_write_bytecode = True

    revs, steps, reads = parse_graph(graph)
    results = []
    with tempfile.TemporaryDirectory(prefix="mb_alembic_") as tmp:
        ini, db = write_project(tmp, revs)
        outputs = [read_command(ini, words) for words in reads]
        cfg = Config(ini)
        seq = 0
        for step in steps:
            before = version_rows(db)
            targets = [a for a in step.args if a != "--purge"]
            error = None
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    if step.verb == "stamp":
                        alembic.command.stamp(cfg, targets,
                                              purge="--purge" in step.args)
                    else:
                        getattr(alembic.command, VERBS[step.verb])(
                            cfg, targets[0])
                except Exception as e:  # record whatever Alembic raises
                    error = ": ".join(filter(None, (type(e).__name__, one_line(e))))
            rows = version_rows(db)
            ran = order_rows(db, seq)
            if ran:
                seq = ran[-1][0]
            results.append({
                "before": before,
                "status": "error" if error else "ok",
                "error": error,
                "warnings": [one_line(w.message) for w in caught],
                "alembic_version": rows,
                "ran": ["%s:%s" % (r[1], r[2]) for r in ran],
            })
            if (step.refuse or error) and rows != before:
                # app-migrate refuses this step and changes nothing: put
                # Alembic back where it was, so that the next steps start
                # from the state that app-migrate will have
                set_version_rows(db, before)
    return {"steps": results, "reads": outputs}


def read_command(ini, words):
    """Run one read command (history [-r RANGE], heads, branches); return
    its status, error and normalised output."""
    import io
    import alembic.command
    from alembic.config import Config

    buf = io.StringIO()
    error = None
    kwargs = {"rev_range": words[2]} if words[0] == "history" and \
        len(words) > 1 else {}
    try:
        getattr(alembic.command, words[0])(Config(ini, stdout=buf), **kwargs)
    except Exception as e:  # record whatever Alembic raises
        error = ": ".join(filter(None, (type(e).__name__, one_line(e))))
    return {"status": "error" if error else "ok", "error": error,
            "output": normalise(words[0], buf.getvalue()) if not error
            else []}


MARKERS = {"head", "effective head", "branchpoint", "mergepoint", "current"}


def sort_labels(line):
    """The branch labels of the revision a line shows, sorted: Alembic
    keeps them in a set."""
    at = line.find("-> ")
    start = at + 3 if at >= 0 else len(line) - len(line.lstrip())
    m = re.match(r"(\S+ )\(([^)]*)\)", line[start:])
    if not m or m.group(2) in MARKERS:
        return line
    labels = ", ".join(sorted(m.group(2).split(", ")))
    return line[:start] + m.group(1) + "(" + labels + ")" + \
        line[start + m.end():]


def normalise(verb, text):
    """The lines of a read command's output with the orders that come from
    Python's sets made canonical: labels sorted; heads sorted; the branches
    of each branch point sorted."""
    lines = [sort_labels(line) for line in text.splitlines()]
    if verb == "heads":
        lines.sort()
    if verb == "branches":
        out, block = [], []
        for line in lines + [""]:
            if line:
                block.append(line)
                continue
            if block:
                out += block[:1] + sorted(block[1:])
            out.append("")
            block = []
        lines = out[:-1]
    return lines


# --- the expectations ------------------------------------------------------

def closure(revs, rows):
    """The applied set: ROWS and all they reach through revises/depends."""
    seen = set()
    todo = list(rows)
    while todo:
        rid = todo.pop()
        if rid not in seen:
            seen.add(rid)
            todo.extend(revs[rid].revises + revs[rid].depends)
    return sorted(seen)


def derived_heads(revs, applied):
    reached = set()
    for rid in applied:
        reached.update(revs[rid].revises + revs[rid].depends)
    return sorted(r for r in applied if r not in reached)


def run_child(graph, listing, seed):
    env = dict(os.environ, PYTHONHASHSEED=seed)
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--record", listing,
         graph], env=env, stdout=subprocess.PIPE, check=True)
    return json.loads(proc.stdout)


def versions():
    import alembic
    import sqlalchemy
    return "alembic %s, sqlalchemy %s" % (alembic.__version__,
                                          sqlalchemy.__version__)


# The recorded run first; then the runs that tell "order fixed" from
# "order any": the file listing reversed, and other hash seeds.
RUNS = [("sorted", "0"), ("reversed", "1"), ("sorted", "2"), ("reversed", "3")]


def generate(graph):
    name = os.path.splitext(os.path.basename(graph))[0]
    revs, steps, reads = parse_graph(graph)
    children = [run_child(graph, listing, seed) for listing, seed in RUNS]
    runs = [c["steps"] for c in children]
    problems = []
    out = ["# generated by tests/alembic/gen.py from graphs/%s.graph "
           "with %s; do not edit" % (name, versions()),
           "graph %s" % name, ""]
    for i, step in enumerate(steps):
        a = runs[0][i]
        order = "fixed"
        for (listing, seed), run in zip(RUNS[1:], runs[1:]):
            b = run[i]
            if a["ran"] != b["ran"]:
                order = "any"
            same_state = (a["status"] == b["status"]
                          and a["alembic_version"] == b["alembic_version"]
                          and sorted(a["ran"]) == sorted(b["ran"]))
            if not same_state and not step.refuse:
                problems.append(
                    "%s: step %d (%s) depends on Alembic's load order beyond "
                    "the order of the revisions it runs:\n  sorted, seed 0: "
                    "%s\n  %s, seed %s: %s"
                    % (graph, step.number, step.command(), json.dumps(a),
                       listing, seed, json.dumps(b)))
        # the state app-migrate must have after the step: the one that
        # Alembic's rows describe, or after a refusal or an error, the
        # state before the step
        kept = step.refuse or a["status"] == "error"
        if a["status"] == "error" and a["alembic_version"] != a["before"]:
            print("gen.py: note: %s: step %d (%s): Alembic failed, and "
                  "left the version table changed: %s (was %s)"
                  % (graph, step.number, step.command(),
                     " ".join(a["alembic_version"]) or "-",
                     " ".join(a["before"]) or "-"), file=sys.stderr)
        applied = closure(revs, a["before"] if kept else a["alembic_version"])
        out += [
            "step %d %s" % (step.number, step.command()),
            "refuse %s" % ("yes" if step.refuse else "no"),
            "status %s" % a["status"],
            "error %s" % (a["error"] or "-"),
        ]
        out += ["warning %s" % w for w in a["warnings"]] or ["warning -"]
        out += [
            "alembic_version %s" % (" ".join(a["alembic_version"]) or "-"),
            "applied %s" % (" ".join(applied) or "-"),
            "heads %s" % (" ".join(derived_heads(revs, applied)) or "-"),
            "ran %s" % (" ".join(a["ran"]) or "-"),
            "order %s" % order,
            "",
        ]
    for i, words in enumerate(reads):
        a = children[0]["reads"][i]
        for (listing, seed), child in zip(RUNS[1:], children[1:]):
            if listing == "sorted" and child["reads"][i] != a:
                problems.append(
                    "%s: read %s depends on Python's hash seed beyond what "
                    "gen.py normalises:\n  seed 0: %s\n  seed %s: %s"
                    % (graph, " ".join(words), json.dumps(a), seed,
                       json.dumps(child["reads"][i])))
        out += ["read %s" % " ".join(words),
                "status %s" % a["status"],
                "error %s" % (a["error"] or "-")]
        out += [("| " + line).rstrip() for line in a["output"]]
        out.append("")
    os.makedirs(EXPECTED, exist_ok=True)
    path = os.path.join(EXPECTED, name + ".expect")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out[:-1]) + "\n")
    nany = sum(1 for line in out if line == "order any")
    nref = sum(1 for s in steps if s.refuse)
    print("%-16s %3d steps, %2d order any, %2d refusals -> %s"
          % (name, len(steps), nany, nref, os.path.relpath(path)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", choices=("sorted", "reversed"),
                        help=argparse.SUPPRESS)
    parser.add_argument("graphs", nargs="*",
                        help="graph files (default: graphs/*.graph)")
    args = parser.parse_args()
    if args.record:
        json.dump(record(args.graphs[0], args.record), sys.stdout)
        return 0
    graphs = args.graphs or sorted(
        os.path.join(GRAPHS, g) for g in os.listdir(GRAPHS)
        if g.endswith(".graph"))
    problems = []
    for graph in graphs:
        if not os.path.exists(graph):
            graph = os.path.join(GRAPHS, graph)
        try:
            problems += generate(graph)
        except SpecError as e:
            problems.append(str(e))
    for p in problems:
        print("gen.py: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
