"""A worker ends its trial: told to the study even when someone ended it meanwhile."""

import pytest

optuna = pytest.importorskip("optuna")

from neurona.tuner.trial import _tell  # noqa: E402


def _outcome(model_file=None):
    return {"values": [0.8], "reason": None, "duration": 1.5, "model_file": model_file}


def test_a_trial_ended_meanwhile_keeps_its_state_and_the_worker_says_so(tmp_path):
    from optuna.trial import TrialState

    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}", direction="maximize")
    trial = study.ask()
    study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)  # a resumed driver
    model = tmp_path / "trial_0000.neurona"
    model.write_bytes(b"a model")
    outcome = _outcome(str(model))
    assert _tell(study, trial, TrialState.COMPLETE, outcome) == "FAIL"
    assert outcome["reason"] == ("the study already held this trial as FAIL when its worker "
                                 "ended it as COMPLETE")
    assert outcome["values"] is None and not model.exists()
    assert study.trials[0].state.name == "FAIL"


def test_a_running_trial_is_told_with_its_values(tmp_path):
    from optuna.trial import TrialState

    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}", direction="maximize")
    trial = study.ask()
    outcome = _outcome()
    assert _tell(study, trial, TrialState.COMPLETE, outcome) == "COMPLETE"
    assert study.trials[0].value == 0.8 and study.trials[0].user_attrs["duration_s"] == 1.5
    assert outcome["reason"] is None
