# wxaudit capture's Frida driver, run by the wxaudit binary as
# `python3 -c <this file> ...` (frida-tools installs the frida module).
# It spawns WeChat with the agent, loads the agent into every process of
# the app that starts later (spawn gating: :push, :appbrandN, ...), and
# prints one JSON object a line on stdout for the host. It ends when its
# stdin closes.
import json
import sys
import threading

def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def main(argv):
    args = dict(zip(argv[0::2], argv[1::2]))
    try:
        import frida
    except ImportError as e:
        out({"event": "fatal", "error": "python module frida missing: %s (pip install frida-tools)" % e})
        return 1
    if args.get("--check") == "1":
        out({"event": "check", "frida": frida.__version__})
        return 0
    pkg = args["--package"]
    with open(args["--agent"], encoding="utf-8") as f:
        source = f.read()
    try:
        dev = frida.get_device(args["--serial"], timeout=10) if args.get("--serial") else frida.get_usb_device(timeout=10)
    except Exception as e:
        out({"event": "fatal", "error": "no Frida device: %s" % e})
        return 1
    lock = threading.Lock()
    sessions = []

    def wanted(identifier):
        return identifier == pkg or identifier.startswith(pkg + ":")

    def instrument(pid, ident):
        session = dev.attach(pid)
        script = session.create_script(source)
        script.on("message", lambda m, data: out({"event": "message", "pid": pid, "process": ident, "message": m}))
        session.on("detached", lambda reason, crash: out({"event": "detached", "pid": pid, "process": ident, "reason": str(reason)}))
        script.load()
        with lock:
            sessions.append(session)
        out({"event": "instrumented", "pid": pid, "process": ident})

    def on_spawn(spawn):
        try:
            if wanted(spawn.identifier):
                instrument(spawn.pid, spawn.identifier)
        except Exception as e:
            out({"event": "error", "pid": spawn.pid, "process": spawn.identifier, "error": str(e)})
        finally:
            try:
                dev.resume(spawn.pid)
            except Exception:
                pass

    try:
        dev.on("spawn-added", on_spawn)
        dev.enable_spawn_gating()
        for spawn in dev.enumerate_pending_spawn():
            on_spawn(spawn)
        pid = dev.spawn([pkg])
        instrument(pid, pkg)
        dev.resume(pid)
    except Exception as e:
        out({"event": "fatal", "error": "spawning %s: %s" % (pkg, e)})
        return 1
    out({"event": "ready", "pid": pid})
    sys.stdin.read()
    try:
        dev.disable_spawn_gating()
    except Exception:
        pass
    with lock:
        for s in sessions:
            try:
                s.detach()
            except Exception:
                pass
    return 0

sys.exit(main(sys.argv[1:]))
