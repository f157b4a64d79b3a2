"""A service running in a background thread on a free loopback port (tests, benchmarks)."""

import contextlib
import threading
import time


@contextlib.contextmanager
def running(app, host="127.0.0.1", timeout=30.0):
    """Run ``app`` with uvicorn in a thread; yields its base URL (``http://127.0.0.1:PORT``).

    The port is chosen by the operating system; the server stops when the block ends.
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
