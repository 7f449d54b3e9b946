"""Writing a file whole or not at all: the draft, curator.toml, the OPML export.

The text goes to a temporary file beside the target, is flushed to disk, and is renamed
over the target (rename(2) is atomic within one file system), so a full disk or a crash
leaves the old file as it was (issue 12, item 7). Pure I/O: imports only curator.errors.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from curator.errors import UsageError, WriteError

# The path itself is wrong or out of reach: the user's to fix (exit 2). Every other
# failure, such as a full disk (ENOSPC), a quota (EDQUOT) or an I/O error, exits 1.
_USAGE_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EISDIR,
        errno.ENOTDIR,
        errno.ENOENT,
        errno.EEXIST,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ELOOP,
    }
)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in UTF-8, or leave it untouched and raise.

    Missing parent folders are created. An existing file keeps its permission bits, and a
    symbolic link keeps pointing where it did: the file it names is the one replaced.
    Raises UsageError for a path that cannot be written (a folder, no permission) and
    WriteError when writing fails (disk full); either way no temporary file is left.
    """
    target = Path(os.path.realpath(path))
    _make_folder(target.parent, shown=path)
    temporary = _write_temporary(target, text.encode("utf-8"), shown=path)
    try:
        os.replace(temporary, target)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise _error(path, err) from None
    _sync_folder(target.parent)


def _make_folder(folder: Path, *, shown: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # exist_ok covers folders: this one is a file
        raise _error(shown, NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))) from None
    except OSError as err:
        raise _error(shown, err) from None


def _write_temporary(target: Path, data: bytes, *, shown: Path) -> Path:
    """A new file beside `target` holding `data`, on disk, with the target's mode."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # 0o666 less the umask, as open(2) gives any new file.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as err:
        raise _error(shown, err) from None
    try:
        with os.fdopen(fd, "wb") as file:
            _keep_mode(target, file.fileno())
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise _error(shown, err) from None
    return temporary


def _keep_mode(target: Path, fd: int) -> None:
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return
    os.fchmod(fd, mode)


def _sync_folder(folder: Path) -> None:
    """The rename is durable once the folder is synced too (fsync(2), NOTES).

    The new file is already in place and its bytes on disk; a folder that cannot be
    synced (EINVAL on some network and FUSE mounts) is not a failure of the write.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _error(path: Path, err: OSError) -> UsageError | WriteError:
    message = f"cannot write {path}: {err.strerror or err}"
    return UsageError(message) if err.errno in _USAGE_ERRNOS else WriteError(message)
