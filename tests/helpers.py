"""Helpers shared by test modules (fixtures live in conftest.py)."""

import sqlite3


def run_cli(capsys, *argv):
    """``neurona.cli.main(argv)`` -> (exit status, stdout, stderr)."""
    from neurona.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def running_trial_pids(db_path):
    """(trial number, pid) of the RUNNING trials of a tuner's SQLite study, read-only: it never
    creates the tables itself, so it can poll while the driver is still making them."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return [(number, int(pid)) for number, pid in db.execute(
                "SELECT t.number, a.value_json FROM trials t JOIN trial_user_attributes a "
                "ON a.trial_id = t.trial_id WHERE t.state = 'RUNNING' AND a.key = 'pid'")]
    except sqlite3.Error:
        return []
