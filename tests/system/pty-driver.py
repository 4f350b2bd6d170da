# Runs a command on a pseudo-terminal (the tests of qnxemu's interactive console and of what Ctrl-C leaves on a
# terminal): argv[1] is a JSON list of steps {"wait": regex, "send": text} or {"wait": regex, "signal": "INT"},
# the rest is the command. Each step waits for its regex in the output so far, then types or signals. Prints
# one JSON object: {"out": all output (latin-1), "status": exit status or -signal}. Gives up after 120 s.
import json, os, pty, re, select, signal, sys, time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b''
deadline = time.time() + 120
def pump(timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        d = os.read(fd, 65536)
    except OSError:
        return False
    if not d:
        return False
    out += d
    return True
alive = True
for st in steps:
    while alive and not re.search(st['wait'].encode('latin-1'), out) and time.time() < deadline:
        alive = pump(0.1)
    if 'send' in st:
        os.write(fd, st['send'].encode('latin-1'))
    if 'signal' in st:
        os.kill(pid, getattr(signal, 'SIG' + st['signal']))
while alive and time.time() < deadline:
    alive = pump(0.1)
_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
print(json.dumps({'out': out.decode('latin-1'), 'status': code}))
