# wxaudit capture's Frida driver. `wxaudit capture` writes it into the run
# folder and runs it as
#   python3 RUN/driver.py --serial SERIAL --package com.tencent.mm --agent RUN/agent.js
# (frida-tools installs the frida module). It spawns WeChat with the agent,
# loads the agent into every process of the app that starts later (spawn
# gating: :push, :appbrandN, ...), and prints one JSON object a line on
# stdout for the host. It ends when its stdin closes.
#
# Reactor pattern, as Frida's own spawn-gating example: Frida's callbacks
# (spawn-added, messages, detached) run on Frida's thread and must not block
# it, so spawn-added only queues the spawn; a reactor thread attaches,
# loads the agent and resumes. `--check 1` prints the frida version.
import json
import queue
import sys
import threading


class Driver:
    def __init__(self, frida, device, package, source, out):
        self._frida = frida
        self._device = device
        self._package = package
        self._source = source
        self._out = out
        self._out_lock = threading.Lock()
        self._work = queue.Queue()
        self._sessions = []
        self._reactor = threading.Thread(target=self._run_reactor, name="wxaudit-reactor", daemon=True)

    def emit(self, obj):
        with self._out_lock:
            self._out.write(json.dumps(obj) + "\n")
            self._out.flush()

    def wanted(self, identifier):
        return identifier == self._package or identifier.startswith(self._package + ":")

    # Frida's thread: queue only.
    def on_spawn_added(self, spawn):
        self._work.put(lambda: self._handle_spawn(spawn))

    def _run_reactor(self):
        while True:
            job = self._work.get()
            if job is None:
                return
            try:
                job()
            except Exception as e:  # one failed job must not stop the reactor
                self.emit({"event": "error", "error": str(e)})

    def _handle_spawn(self, spawn):
        try:
            if self.wanted(spawn.identifier):
                self._instrument(spawn.pid, spawn.identifier)
        except Exception as e:
            self.emit({"event": "error", "pid": spawn.pid, "process": spawn.identifier, "error": str(e)})
        finally:
            try:
                self._device.resume(spawn.pid)
            except Exception:
                pass

    def _instrument(self, pid, ident):
        session = self._device.attach(pid)
        script = session.create_script(self._source)
        script.on("message", lambda m, data: self.emit({"event": "message", "pid": pid, "process": ident, "message": m}))
        session.on("detached", lambda reason, crash: self.emit({"event": "detached", "pid": pid, "process": ident, "reason": str(reason)}))
        script.load()
        self._sessions.append(session)
        self.emit({"event": "instrumented", "pid": pid, "process": ident})

    # start runs on the caller's thread: it starts the reactor and has it
    # spawn the package. It returns the spawned pid or raises.
    def start(self):
        self._reactor.start()
        self._device.on("spawn-added", self.on_spawn_added)
        self._device.enable_spawn_gating()
        for spawn in self._device.enumerate_pending_spawn():
            self.on_spawn_added(spawn)
        done = queue.Queue()

        def spawn_main():
            try:
                pid = self._device.spawn([self._package])
                self._instrument(pid, self._package)
                self._device.resume(pid)
                done.put((pid, None))
            except Exception as e:
                done.put((None, e))

        self._work.put(spawn_main)
        pid, err = done.get()
        if err is not None:
            raise err
        return pid

    def stop(self):
        try:
            self._device.off("spawn-added", self.on_spawn_added)
        except Exception:
            pass
        try:
            self._device.disable_spawn_gating()
        except Exception:
            pass
        self._work.put(None)
        self._reactor.join()
        for s in self._sessions:
            try:
                s.detach()
            except Exception:
                pass


def main(argv, stdin=None, stdout=None):
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout

    def out(obj):
        stdout.write(json.dumps(obj) + "\n")
        stdout.flush()

    args = dict(zip(argv[0::2], argv[1::2]))
    try:
        import frida
    except ImportError as e:
        out({"event": "fatal", "error": "python module frida missing: %s (pip install frida-tools)" % e})
        return 1
    if args.get("--check") == "1":
        out({"event": "check", "frida": frida.__version__})
        return 0
    for flag in ("--package", "--agent"):
        if flag not in args:
            out({"event": "fatal", "error": "driver.py: %s is required" % flag})
            return 2
    with open(args["--agent"], encoding="utf-8") as f:
        source = f.read()
    try:
        dev = frida.get_device(args["--serial"], timeout=10) if args.get("--serial") else frida.get_usb_device(timeout=10)
    except Exception as e:
        out({"event": "fatal", "error": "no Frida device: %s" % e})
        return 1
    d = Driver(frida, dev, args["--package"], source, stdout)
    try:
        pid = d.start()
    except Exception as e:
        d.emit({"event": "fatal", "error": "spawning %s: %s" % (args["--package"], e)})
        d.stop()
        return 1
    d.emit({"event": "ready", "pid": pid})
    stdin.read()
    d.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
