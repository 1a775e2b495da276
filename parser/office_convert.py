"""Old Office files (.doc, .wps) to DOCX through LibreOffice, then read by the DOCX reader.

Word 97–2003 `.doc` and Kingsoft WPS `.wps` files (WPS Office has written `.wps` in the Word
97 binary format, an OLE2 container with a `WordDocument` stream, since WPS 2005) are what
the legacy era (2008–2015) attached to its reports. No Python library reads them reliably
(docs/decisions.md: "Old Office files"), so LibreOffice converts them, headless.

A hostile file must not hold a build: each conversion runs in its own process group with
a fresh LibreOffice profile in a temporary folder, at most settings.OFFICE_CONVERT_SECONDS of
wall-clock time and settings.OFFICE_MAX_MEMORY_BYTES of address space, on a file of at most
settings.OFFICE_MAX_BYTES; past the time limit the whole group is killed. The DOCX it writes
then passes the same zip-bomb checks as any DOCX.

An OLE2 file with no `WordDocument` stream (Excel, PowerPoint, an old WPS 2000 file, which
has its own format) is refused with the reason, never handed to the converter.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from parser.model import DocumentError
from xxgk import settings

INSTALL_HINT = ("install LibreOffice (Debian/Ubuntu: `sudo apt-get install "
                "libreoffice-writer-nogui`, or run `bash scripts/ensure_libreoffice.sh`), "
                "or set XXGK_SOFFICE to its soffice program")


def soffice() -> str | None:
    """The LibreOffice program: settings.SOFFICE, else soffice/libreoffice on PATH."""
    if settings.SOFFICE:
        return settings.SOFFICE if Path(settings.SOFFICE).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def ole_kind(data: bytes) -> str:
    """What an OLE2 container holds: "word" (a WordDocument stream: .doc, WPS 2005+ .wps),
    else a plain description of what it is instead."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except Exception as exc:  # olefile raises OSError and others for damaged containers
        raise DocumentError(f"broken OLE2 (Word 97-2003) file: {exc}") from exc
    if "WordDocument" in streams:
        return "word"
    if "Workbook" in streams or "Book" in streams:
        return "an Excel workbook"
    if "PowerPoint Document" in streams:
        return "a PowerPoint presentation"
    return "an OLE2 file without a WordDocument stream (an old WPS 2000 file or other)"


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    limit = settings.OFFICE_MAX_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def to_docx(data: bytes, source: str, suffix: str = ".doc") -> bytes:
    """Convert a Word 97–2003 or WPS file's bytes to DOCX bytes with LibreOffice.

    DocumentError (naming the file and the reason) when the converter is missing, the file is
    over the size limit, the conversion fails or takes over the time limit."""
    if len(data) > settings.OFFICE_MAX_BYTES:
        raise DocumentError(f"{source}: {len(data) / 1024 / 1024:.1f} MB is over the "
                            f"{settings.OFFICE_MAX_BYTES // 1024 // 1024} MB limit for "
                            "converting a Word 97-2003/WPS file")
    program = soffice()
    if program is None:
        raise DocumentError(f"{source}: a Word 97-2003/WPS file is read by converting it with "
                            f"LibreOffice, which is not installed: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="xxgk-office-") as tmp:
        work = Path(tmp)
        src = work / f"document{suffix if suffix in ('.doc', '.wps') else '.doc'}"
        src.write_bytes(data)
        out = work / "out"
        cmd = [program, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(out), str(src)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
               "LANG": "C.UTF-8", "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, cwd=work,
                                # its own process group: a timeout kills all it started
                                start_new_session=True, preexec_fn=_limits)
        try:
            output, _ = proc.communicate(timeout=settings.OFFICE_CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise DocumentError(
                f"{source}: converting the Word 97-2003/WPS file took over "
                f"{settings.OFFICE_CONVERT_SECONDS:.0f} s: stopped") from None
        finally:
            _kill(proc)  # helpers LibreOffice left behind in its group
        result = out / (src.stem + ".docx")
        if proc.returncode != 0 or not result.is_file():
            said = output.decode("utf-8", "replace").strip().splitlines()[-1:] if output else []
            raise DocumentError(f"{source}: LibreOffice could not convert the Word "
                                f"97-2003/WPS file (exit {proc.returncode}"
                                + (f": {said[0][:200]}" if said else "") + ")")
        if result.stat().st_size > settings.MAX_BINARY_BYTES:
            raise DocumentError(f"{source}: the converted DOCX is over the "
                                f"{settings.MAX_BINARY_BYTES // 1024 // 1024} MB limit")
        return result.read_bytes()


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
