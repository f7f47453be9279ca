"""A real IMAP server on loopback for tests: Debian's dovecot-imapd with a config of its own.

Started in a temporary folder (listening on 127.0.0.1 at a free port, users in a passwd-file,
maildirs in the folder, no TLS), in the foreground (``dovecot -F -c conf``), and stopped by its
process id. Run as root, dovecot refuses to log in or read mail as root: its own ``dovecot`` and
``dovenull`` users (made by the package) do that, and own the folder.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "office"
PASSWORD = "mailbox-secret"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    def __init__(self) -> None:
        binary = dovecot_binary()
        if binary is None:
            raise RuntimeError("dovecot is not installed")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="xinbao-dovecot-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        if os.geteuid() == 0:
            mail = pwd.getpwnam("dovecot")
            internal, login = "dovecot", "dovenull"
            uid, gid = mail.pw_uid, mail.pw_gid
        else:
            me = pwd.getpwuid(os.geteuid())
            internal = login = me.pw_name
            uid, gid = me.pw_uid, me.pw_gid
        group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
        r = self.root
        return f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{r}/mail/%u
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""

    def start(self) -> None:
        r = self.root
        for sub in ("run", "state", "mail", "home"):
            (r / sub).mkdir()
        (r / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (r / "dovecot.conf").write_text(self._config())
        os.chmod(r, 0o755)  # noqa: S103  (the mail user must reach its maildir; a test's folder)
        if os.geteuid() == 0:
            mail = pwd.getpwnam("dovecot")
            for sub in ("mail", "home"):
                os.chown(r / sub, mail.pw_uid, mail.pw_gid)
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(r / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
