# Runs a command in a pseudo-terminal for the tests (test/support/pty.ts drives it), so
# no npm PTY library (native code) is needed. Protocol:
#   pty-host.py COLS ROWS CMD [ARG...]
#   stdin  -> the terminal's keyboard (bytes as typed; "\x03" is Ctrl-C)
#   stdout <- everything the command writes to the terminal
#   stderr <- "pid N" once the command started, "exit N" or "signal N" when it ended
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios

cols, rows, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]

pid, fd = pty.fork()
if pid == 0:
    # Child: the pty's slave is stdin/stdout/stderr and the controlling terminal.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)

sys.stderr.write("pid %d\n" % pid)
sys.stderr.flush()

stdin = sys.stdin.buffer.fileno()
stdout = sys.stdout.buffer.fileno()
watch = [fd, stdin]
while True:
    try:
        ready, _, _ = select.select(watch, [], [])
    except InterruptedError:
        continue
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError as e:
            # EIO: every slave end is closed, the command is gone.
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            break
        os.write(stdout, data)
    if stdin in ready:
        data = os.read(stdin, 65536)
        if data:
            os.write(fd, data)
        else:
            # The test process is gone: hang up, as a closed terminal window does.
            os.kill(pid, signal.SIGHUP)
            watch.remove(stdin)

_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    sys.stderr.write("signal %d\n" % os.WTERMSIG(status))
else:
    sys.stderr.write("exit %d\n" % os.WEXITSTATUS(status))
sys.stderr.flush()
