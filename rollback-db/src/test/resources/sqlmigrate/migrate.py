"""A small migration tool of the kind teams write themselves: numbered up/down SQL files, a
schema_version table, each step in its own transaction, foreign keys on.

    migrate.py SCRIPTS DB current
    migrate.py SCRIPTS DB goto REVISION
"""
import os
import sqlite3
import sys


def steps(folder):
    return sorted({f.split("_", 1)[0] for f in os.listdir(folder) if f.endswith(".up.sql")})


def script(folder, rev, way):
    name = [f for f in os.listdir(folder) if f.startswith(rev + "_") and f.endswith("." + way + ".sql")][0]
    with open(os.path.join(folder, name)) as f:
        return f.read()


def current(db):
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version TEXT NOT NULL)")
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else "000"


def main():
    folder, path, cmd = sys.argv[1], sys.argv[2], sys.argv[3]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    now = current(db)
    if cmd == "current":
        print(now)
        return
    target = sys.argv[4]
    all_steps = steps(folder)
    if now != "000" and now not in all_steps:
        sys.exit("unknown revision %s: no script %s_*.up.sql in %s" % (now, now, folder))
    if target > now:
        todo = [(s, "up", s) for s in all_steps if now < s <= target]
    else:
        down = [s for s in reversed(all_steps) if target < s <= now]
        todo = [(s, "down", (all_steps[all_steps.index(s) - 1] if all_steps.index(s) > 0 else "000")) for s in down]
    for rev, way, after in todo:
        db.execute("BEGIN")
        try:
            for statement in [s for s in script(folder, rev, way).split(";") if s.strip()]:
                db.execute(statement)
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version VALUES (?)", (after,))
            db.execute("COMMIT")
        except Exception as e:
            db.execute("ROLLBACK")
            sys.exit("%s %s failed: %s" % (way, rev, e))
        print("%s %s" % (way, rev))


main()
