"""Where trials run: worker processes on this machine, or Ray tasks on a Ray cluster.

Both executors offer the same three calls to the driver: ``submit(token)`` starts one trial,
``wait()`` returns the outcome of the next one to end, ``close()`` stops the workers. A worker
that dies mid-trial (killed, out of memory, its machine gone) comes back from ``wait()`` as an
outcome with state ``"CRASHED"``, so the driver can mark its trial failed and start another.
"""

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import time

from .objectives import TunerError
from ..processes import process_alive, process_identity
from .trial import limit_threads, run_trial

__all__ = ["LocalExecutor", "RayExecutor", "crashed"]


def crashed(token, reason):
    """The outcome of a trial whose worker died."""
    return {"token": token, "state": "CRASHED", "reason": reason, "number": None,
            "values": None, "metrics": None, "model": None, "params": {}, "duration": None}


def _local_worker(conn, payload, settings):
    """A worker process: run one trial per token received, until told to stop. A driver that
    is gone (killed) ends the worker quietly after its trial: the trial is in the study and
    its model file in the study folder already."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    limit_threads()
    job = pickle.loads(payload)
    while True:
        try:
            token = conn.recv()
        except (EOFError, OSError):
            return
        if token is None:
            return
        outcome = run_trial(job, settings, token)
        try:
            conn.send(outcome)
        except OSError:  # BrokenPipeError: nobody is listening any more
            return


def _context():
    """A fork server where the platform has one, spawn elsewhere; never a plain fork, which
    copies locks held by other threads of the driver and can leave a worker stuck on one."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["numpy", "neurona", "optuna"])
        return context
    return multiprocessing.get_context("spawn")


def job_payload(job):
    """The job as bytes for the workers: cloudpickle (so a closure or a function defined in a
    notebook works as the model-building function), plain pickle without it."""
    try:
        import cloudpickle
    except ImportError:
        cloudpickle = None
    try:
        return (cloudpickle or pickle).dumps(job)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise TunerError(f"the model-building function or the data cannot be sent to the "
                         f"worker processes ({err}); define the function at module level, or "
                         "pip install cloudpickle") from None


class _Worker:
    def __init__(self, context, payload, settings):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_local_worker, args=(child, payload, settings),
                                       daemon=True, name="neurona-tuner-worker")
        self.process.start()
        child.close()
        self.pid = self.process.pid
        self.identity = process_identity(self.pid)
        self.token = None

    def alive(self):
        """Whether the worker process runs. Not ``Process.is_alive()``: a fork server that is
        gone makes that say False for every worker it started, running or not."""
        return process_alive(self.pid, self.identity)


class LocalExecutor:
    """``n_jobs`` worker processes on this machine, each running one trial at a time.

    A worker's death shows as the end of its pipe (only the worker holds the other end), and
    a wait never blocks longer than ``poll_s`` without checking that the busy workers still
    run. A fork server that died is started again by the next worker's start; the workers it
    had started run on and report as usual.

    Args:
        job, settings: what every worker needs (see :mod:`.trial`).
        n_jobs: the number of worker processes.
        poll_s: the longest wait between two liveness checks.
    """

    name = "local"

    def __init__(self, job, settings, n_jobs, poll_s=1.0):
        self.payload, self.settings, self.n_jobs = job_payload(job), settings, n_jobs
        self.context = _context()
        self.workers = []
        self.poll_s = poll_s

    @property
    def capacity(self):
        return self.n_jobs

    def _idle_worker(self):
        for worker in self.workers:
            if worker.token is None and worker.alive():
                return worker
        # busy workers stay (their trial's outcome is still to come), dead idle ones go
        self.workers = [w for w in self.workers if w.token is not None or w.alive()]
        worker = self._start_worker()
        self.workers.append(worker)
        return worker

    def _start_worker(self, attempts=3):
        """A new worker; a start that fails because the fork server died a moment ago is
        tried again (each start first restarts a fork server that is gone)."""
        for attempt in range(attempts):
            try:
                return _Worker(self.context, self.payload, self.settings)
            except OSError as err:  # the server's socket gone; out of processes or memory
                if attempt == attempts - 1:
                    raise TunerError(f"cannot start a worker process: {err}; the trials "
                                     "finished so far are kept, continue the study with "
                                     "resume") from None
                time.sleep(0.5)

    def submit(self, token):
        worker = self._idle_worker()
        worker.token = token
        try:
            worker.conn.send(token)
        except OSError:
            pass  # it died at once: the next wait() reports the trial as crashed

    def wait(self):
        busy = {w.conn: w for w in self.workers if w.token is not None}
        if not busy:
            raise RuntimeError("wait() with no trial running: submit one first")
        while True:
            for conn in multiprocessing.connection.wait(list(busy), timeout=self.poll_s):
                return self._receive(busy[conn])
            for worker in busy.values():
                if not worker.alive() and not worker.conn.poll():
                    return self._crash(worker)

    def _receive(self, worker):
        try:
            outcome = worker.conn.recv()
        except (EOFError, OSError):  # its end closed: the worker died
            return self._crash(worker)
        worker.token = None
        return outcome

    def _crash(self, worker):
        token, worker.token = worker.token, None
        self.workers.remove(worker)
        worker.conn.close()
        return crashed(token, f"the worker process (pid {worker.pid}) {_how_it_ended(worker)} "
                              "during the trial")

    def close(self, force=False, timeout=30):
        """Stop the workers: ask them to end (or kill them, ``force``); a worker that has
        not ended ``timeout`` seconds later is killed."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + (0 if force else timeout)
        for worker in self.workers:
            while worker.alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            if worker.alive():
                _kill(worker.pid)
            worker.process.join(timeout=1)  # reaps it where it is our child
            worker.conn.close()
        self.workers = []


def _how_it_ended(worker):
    """How a dead worker ended, as the fork server reported it: a fork server that is gone
    cannot tell (multiprocessing then says 255)."""
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    if code is not None and code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    if code is None or code == 255:
        return "ended (its exit status is unknown: its fork server is gone, or it exited " \
            "with status 255)"
    return f"exited with status {code}"


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass  # ended meanwhile


def _ray_trial(job, settings, token):
    limit_threads()
    return run_trial(job, settings, token)


class RayExecutor:
    """Trials as Ray tasks: on the cluster ``ray.init`` joins (``address``; a local one when
    neither an address nor ``RAY_ADDRESS`` is given and Ray is not initialized yet).

    Args:
        job, settings: what every trial needs; the job is put in Ray's object store once.
        n_jobs: trials at a time (default: the cluster's CPUs divided by ``cpus_per_trial``).
        address: the Ray cluster's address (``ray.init(address=...)``).
        cpus_per_trial, gpus_per_trial: the resources each trial reserves.
    """

    name = "ray"

    def __init__(self, job, settings, n_jobs=None, address=None, cpus_per_trial=1,
                 gpus_per_trial=0):
        try:
            import ray
        except ImportError:
            raise TunerError("executor='ray' needs Ray: pip install 'ray[default]'") from None
        self.ray = ray
        if not ray.is_initialized():
            kwargs = {"address": address} if address else {}
            if not address and not os.environ.get("RAY_ADDRESS"):
                kwargs["num_cpus"] = os.cpu_count()
            ray.init(include_dashboard=False, log_to_driver=False, **kwargs)
        cpus = ray.cluster_resources().get("CPU", 1)
        self.n_jobs = n_jobs or max(1, int(cpus // cpus_per_trial))
        self.job_ref = ray.put(job)
        self.settings = settings
        self.remote = ray.remote(num_cpus=cpus_per_trial, num_gpus=gpus_per_trial,
                                 max_retries=0)(_ray_trial)
        self.running = {}

    @property
    def capacity(self):
        return self.n_jobs

    def submit(self, token):
        ref = self.remote.remote(self.job_ref, self.settings, token)
        self.running[ref] = token

    def wait(self):
        ready, _ = self.ray.wait(list(self.running), num_returns=1)
        token = self.running.pop(ready[0])
        try:
            return self.ray.get(ready[0])
        except self.ray.exceptions.RayError as err:
            first = " ".join(str(err).split())[:300]
            return crashed(token, f"the Ray task ended without a result: {type(err).__name__}: "
                                  f"{first}")

    def close(self, force=False):
        for ref in list(self.running):
            self.ray.cancel(ref, force=True)
        self.running = {}
