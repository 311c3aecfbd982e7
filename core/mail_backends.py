"""Mail backends of the project.

`PrivateFileEmailBackend` is Django's file-based backend (the development
settings write mail to var/mail/), but private: the messages hold password
reset, confirmation and unsubscribe links, which are as good as the account
to whoever reads them. Django's backend makes the folder and files with the
umask's modes (usually 0755 and 0644: readable by every user of the
machine); this one makes the folder 0700 and every file 0600, and takes the
other users' permissions off an existing folder of ours.
"""

import os
import stat

from django.core.mail.backends.filebased import EmailBackend

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


class PrivateFileEmailBackend(EmailBackend):
    """Each connection's messages in one file, mode 0600, under a folder of
    mode 0700 (EMAIL_FILE_PATH)."""

    def __init__(self, *args, file_path=None, **kwargs):
        path = file_path
        if path is None:
            from django.conf import settings

            path = getattr(settings, "EMAIL_FILE_PATH", None)
        if path is not None:
            # Made here first, so it never exists with the umask's mode.
            os.makedirs(os.path.abspath(path), mode=DIRECTORY_MODE, exist_ok=True)
        super().__init__(*args, file_path=file_path, **kwargs)
        make_private(self.file_path, DIRECTORY_MODE)

    def open(self):
        if self.stream is None:
            fd = os.open(
                self._get_filename(),
                os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                FILE_MODE,
            )
            self.stream = os.fdopen(fd, "ab")
            # A file that already existed keeps its mode: take it private.
            make_private(self._get_filename(), FILE_MODE)
            return True
        return False


def make_private(path, mode):
    """Give `path` `mode` when it is ours and others (group included) have
    more than that."""
    info = os.stat(path)
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & ~mode:
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
