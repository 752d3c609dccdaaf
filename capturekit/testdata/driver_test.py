# Tests of capturekit/driver.py against a fake `frida` module (run by
# capturekit's TestDriverPy: python3 -m unittest, DRIVER=path/to/driver.py).
import importlib.util
import io
import json
import os
import sys
import tempfile
import threading
import types
import unittest


class FakeScript:
    def __init__(self, session):
        self.session = session
        self.handlers = {}

    def on(self, name, fn):
        self.handlers[name] = fn

    def load(self):
        self.session.device.log.append(("load", self.session.pid, threading.current_thread().name))
        self.handlers["message"]({"type": "send", "payload": {"type": "hook", "id": "h"}}, None)


class FakeSession:
    def __init__(self, device, pid):
        self.device = device
        self.pid = pid
        self.detached = False

    def create_script(self, source):
        assert source == "AGENT SOURCE"
        return FakeScript(self)

    def on(self, name, fn):
        pass

    def detach(self):
        self.detached = True


class FakeSpawn:
    def __init__(self, pid, identifier):
        self.pid = pid
        self.identifier = identifier


class FakeDevice:
    """Plays Frida's device: spawn-added callbacks run on a "frida" thread."""

    def __init__(self, fail_spawn=False):
        self.log = []
        self.handlers = {}
        self.gating = False
        self.fail_spawn = fail_spawn
        self.sessions = []
        self.resumed = threading.Event()
        self.lock = threading.Lock()

    def on(self, name, fn):
        self.handlers[name] = fn

    def off(self, name, fn):
        self.handlers.pop(name, None)

    def enable_spawn_gating(self):
        self.gating = True

    def disable_spawn_gating(self):
        self.gating = False

    def enumerate_pending_spawn(self):
        return []

    def spawn(self, argv):
        if self.fail_spawn:
            raise RuntimeError("unable to connect to remote frida-server")
        self.log.append(("spawn", argv[0], threading.current_thread().name))
        return 100

    def attach(self, pid):
        self.log.append(("attach", pid, threading.current_thread().name))
        s = FakeSession(self, pid)
        self.sessions.append(s)
        return s

    def resume(self, pid):
        with self.lock:
            self.log.append(("resume", pid, threading.current_thread().name))
        self.resumed.set()

    # add_spawn calls the spawn-added handler on a thread standing for
    # Frida's, and returns what the handler did on it.
    def add_spawn(self, spawn):
        before = len(self.log)
        t = threading.Thread(target=self.handlers["spawn-added"], args=(spawn,), name="frida")
        t.start()
        t.join()
        return [e for e in self.log[before:] if e[2] == "frida"]


def load_driver():
    spec = importlib.util.spec_from_file_location("driver", os.environ.get("DRIVER", "driver.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fake_frida(device):
    m = types.ModuleType("frida")
    m.__version__ = "17.2.1"
    m.get_device = lambda serial, timeout=0: device
    m.get_usb_device = lambda timeout=0: device
    return m


class BlockingStdin:
    """stdin that returns EOF once released."""

    def __init__(self):
        self.release = threading.Event()

    def read(self):
        self.release.wait()
        return ""


class DriverTest(unittest.TestCase):
    def setUp(self):
        self.driver = load_driver()
        self.agent = tempfile.NamedTemporaryFile("w", suffix=".js", delete=False)
        self.agent.write("AGENT SOURCE")
        self.agent.close()
        self.addCleanup(os.unlink, self.agent.name)
        self.addCleanup(sys.modules.pop, "frida", None)

    def run_main(self, device, during):
        sys.modules["frida"] = fake_frida(device)
        stdin = BlockingStdin()
        stdout = io.StringIO()
        rc = []
        t = threading.Thread(target=lambda: rc.append(self.driver.main(
            ["--serial", "S1", "--package", "com.tencent.mm", "--agent", self.agent.name], stdin, stdout)))
        t.start()
        try:
            during(device, stdout)
        finally:
            stdin.release.set()
            t.join()
        return rc[0], [json.loads(l) for l in stdout.getvalue().splitlines()]

    def test_spawn_added_only_queues_and_the_reactor_attaches(self):
        def during(device, stdout):
            while not any(e[0] == "resume" and e[1] == 100 for e in device.log):
                device.resumed.wait()
                device.resumed.clear()
            device.resumed.clear()
            on_frida_thread = device.add_spawn(FakeSpawn(200, "com.tencent.mm:appbrand0"))
            self.assertEqual(on_frida_thread, [], "spawn-added did work on Frida's thread")
            device.add_spawn(FakeSpawn(300, "com.android.chrome"))
            while sum(1 for e in list(device.log) if e[0] == "resume") < 3:
                device.resumed.wait()
                device.resumed.clear()

        device = FakeDevice()
        rc, events = self.run_main(device, during)
        self.assertEqual(rc, 0)
        attaches = [e for e in device.log if e[0] == "attach"]
        self.assertEqual([e[1] for e in attaches], [100, 200], "WeChat's processes only")
        self.assertTrue(all(e[2] == "wxaudit-reactor" for e in attaches), attaches)
        # Each spawn is resumed after the agent loaded into it.
        order = [(e[0], e[1]) for e in device.log]
        self.assertLess(order.index(("load", 200)), order.index(("resume", 200)))
        self.assertIn(("resume", 300), order)
        kinds = [(e["event"], e.get("process")) for e in events]
        self.assertIn(("instrumented", "com.tencent.mm"), kinds)
        self.assertIn(("instrumented", "com.tencent.mm:appbrand0"), kinds)
        self.assertIn(("message", "com.tencent.mm:appbrand0"), kinds)
        self.assertIn(("ready", None), kinds)
        self.assertFalse(device.gating, "spawn gating left on")
        self.assertTrue(all(s.detached for s in device.sessions))

    def test_spawn_failure_is_fatal(self):
        rc, events = self.run_main(FakeDevice(fail_spawn=True), lambda d, o: None)
        self.assertEqual(rc, 1)
        self.assertEqual(events[-1]["event"], "fatal")
        self.assertIn("unable to connect to remote frida-server", events[-1]["error"])

    def test_check(self):
        sys.modules["frida"] = fake_frida(FakeDevice())
        out = io.StringIO()
        self.assertEqual(self.driver.main(["--check", "1"], io.StringIO(), out), 0)
        self.assertEqual(json.loads(out.getvalue()), {"event": "check", "frida": "17.2.1"})

    def test_frida_missing(self):
        sys.modules["frida"] = None  # import frida raises ImportError
        out = io.StringIO()
        self.assertEqual(self.driver.main(["--check", "1"], io.StringIO(), out), 1)
        self.assertIn("pip install frida-tools", json.loads(out.getvalue())["error"])


if __name__ == "__main__":
    unittest.main()
